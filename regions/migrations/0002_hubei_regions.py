"""Load Hubei's GB/T 2260 region tree: the province, 17 city-level units, 103 county-level units.

The data is inline so this migration means the same thing forever; a later change to the
division list (a county becoming a city, a code abolished) is a new migration.

Current as of the 2020 change that made 监利县 (421023, abolished) 监利市 (421088). 京山 is
京山市 420882, 郧阳 is 郧阳区 420304. The four county-level units administered directly by the
province (仙桃, 潜江, 天门, 神农架林区) are counties whose parent is the province, flagged
``directly_administered``. Pinyin is toneless, lowercase, of the full name, syllables joined.
"""

from django.db import migrations

# (code, name, pinyin, level, parent code, directly administered), parents before children.
REGIONS = (
    ("420000", "湖北省", "hubeisheng", "province", None, False),
    ("420100", "武汉市", "wuhanshi", "city", "420000", False),
    ("420102", "江岸区", "jianganqu", "county", "420100", False),
    ("420103", "江汉区", "jianghanqu", "county", "420100", False),
    ("420104", "硚口区", "qiaokouqu", "county", "420100", False),
    ("420105", "汉阳区", "hanyangqu", "county", "420100", False),
    ("420106", "武昌区", "wuchangqu", "county", "420100", False),
    ("420107", "青山区", "qingshanqu", "county", "420100", False),
    ("420111", "洪山区", "hongshanqu", "county", "420100", False),
    ("420112", "东西湖区", "dongxihuqu", "county", "420100", False),
    ("420113", "汉南区", "hannanqu", "county", "420100", False),
    ("420114", "蔡甸区", "caidianqu", "county", "420100", False),
    ("420115", "江夏区", "jiangxiaqu", "county", "420100", False),
    ("420116", "黄陂区", "huangpiqu", "county", "420100", False),
    ("420117", "新洲区", "xinzhouqu", "county", "420100", False),
    ("420200", "黄石市", "huangshishi", "city", "420000", False),
    ("420202", "黄石港区", "huangshigangqu", "county", "420200", False),
    ("420203", "西塞山区", "xisaishanqu", "county", "420200", False),
    ("420204", "下陆区", "xialuqu", "county", "420200", False),
    ("420205", "铁山区", "tieshanqu", "county", "420200", False),
    ("420222", "阳新县", "yangxinxian", "county", "420200", False),
    ("420281", "大冶市", "dayeshi", "county", "420200", False),
    ("420300", "十堰市", "shiyanshi", "city", "420000", False),
    ("420302", "茅箭区", "maojianqu", "county", "420300", False),
    ("420303", "张湾区", "zhangwanqu", "county", "420300", False),
    ("420304", "郧阳区", "yunyangqu", "county", "420300", False),
    ("420322", "郧西县", "yunxixian", "county", "420300", False),
    ("420323", "竹山县", "zhushanxian", "county", "420300", False),
    ("420324", "竹溪县", "zhuxixian", "county", "420300", False),
    ("420325", "房县", "fangxian", "county", "420300", False),
    ("420381", "丹江口市", "danjiangkoushi", "county", "420300", False),
    ("420500", "宜昌市", "yichangshi", "city", "420000", False),
    ("420502", "西陵区", "xilingqu", "county", "420500", False),
    ("420503", "伍家岗区", "wujiagangqu", "county", "420500", False),
    ("420504", "点军区", "dianjunqu", "county", "420500", False),
    ("420505", "猇亭区", "xiaotingqu", "county", "420500", False),
    ("420506", "夷陵区", "yilingqu", "county", "420500", False),
    ("420525", "远安县", "yuananxian", "county", "420500", False),
    ("420526", "兴山县", "xingshanxian", "county", "420500", False),
    ("420527", "秭归县", "ziguixian", "county", "420500", False),
    ("420528", "长阳土家族自治县", "changyangtujiazuzizhixian", "county", "420500", False),
    ("420529", "五峰土家族自治县", "wufengtujiazuzizhixian", "county", "420500", False),
    ("420581", "宜都市", "yidushi", "county", "420500", False),
    ("420582", "当阳市", "dangyangshi", "county", "420500", False),
    ("420583", "枝江市", "zhijiangshi", "county", "420500", False),
    ("420600", "襄阳市", "xiangyangshi", "city", "420000", False),
    ("420602", "襄城区", "xiangchengqu", "county", "420600", False),
    ("420606", "樊城区", "fanchengqu", "county", "420600", False),
    ("420607", "襄州区", "xiangzhouqu", "county", "420600", False),
    ("420624", "南漳县", "nanzhangxian", "county", "420600", False),
    ("420625", "谷城县", "guchengxian", "county", "420600", False),
    ("420626", "保康县", "baokangxian", "county", "420600", False),
    ("420682", "老河口市", "laohekoushi", "county", "420600", False),
    ("420683", "枣阳市", "zaoyangshi", "county", "420600", False),
    ("420684", "宜城市", "yichengshi", "county", "420600", False),
    ("420700", "鄂州市", "ezhoushi", "city", "420000", False),
    ("420702", "梁子湖区", "liangzihuqu", "county", "420700", False),
    ("420703", "华容区", "huarongqu", "county", "420700", False),
    ("420704", "鄂城区", "echengqu", "county", "420700", False),
    ("420800", "荆门市", "jingmenshi", "city", "420000", False),
    ("420802", "东宝区", "dongbaoqu", "county", "420800", False),
    ("420804", "掇刀区", "duodaoqu", "county", "420800", False),
    ("420822", "沙洋县", "shayangxian", "county", "420800", False),
    ("420881", "钟祥市", "zhongxiangshi", "county", "420800", False),
    ("420882", "京山市", "jingshanshi", "county", "420800", False),
    ("420900", "孝感市", "xiaoganshi", "city", "420000", False),
    ("420902", "孝南区", "xiaonanqu", "county", "420900", False),
    ("420921", "孝昌县", "xiaochangxian", "county", "420900", False),
    ("420922", "大悟县", "dawuxian", "county", "420900", False),
    ("420923", "云梦县", "yunmengxian", "county", "420900", False),
    ("420981", "应城市", "yingchengshi", "county", "420900", False),
    ("420982", "安陆市", "anlushi", "county", "420900", False),
    ("420984", "汉川市", "hanchuanshi", "county", "420900", False),
    ("421000", "荆州市", "jingzhoushi", "city", "420000", False),
    ("421002", "沙市区", "shashiqu", "county", "421000", False),
    ("421003", "荆州区", "jingzhouqu", "county", "421000", False),
    ("421022", "公安县", "gonganxian", "county", "421000", False),
    ("421024", "江陵县", "jianglingxian", "county", "421000", False),
    ("421081", "石首市", "shishoushi", "county", "421000", False),
    ("421083", "洪湖市", "honghushi", "county", "421000", False),
    ("421087", "松滋市", "songzishi", "county", "421000", False),
    ("421088", "监利市", "jianlishi", "county", "421000", False),
    ("421100", "黄冈市", "huanggangshi", "city", "420000", False),
    ("421102", "黄州区", "huangzhouqu", "county", "421100", False),
    ("421121", "团风县", "tuanfengxian", "county", "421100", False),
    ("421122", "红安县", "honganxian", "county", "421100", False),
    ("421123", "罗田县", "luotianxian", "county", "421100", False),
    ("421124", "英山县", "yingshanxian", "county", "421100", False),
    ("421125", "浠水县", "xishuixian", "county", "421100", False),
    ("421126", "蕲春县", "qichunxian", "county", "421100", False),
    ("421127", "黄梅县", "huangmeixian", "county", "421100", False),
    ("421181", "麻城市", "machengshi", "county", "421100", False),
    ("421182", "武穴市", "wuxueshi", "county", "421100", False),
    ("421200", "咸宁市", "xianningshi", "city", "420000", False),
    ("421202", "咸安区", "xiananqu", "county", "421200", False),
    ("421221", "嘉鱼县", "jiayuxian", "county", "421200", False),
    ("421222", "通城县", "tongchengxian", "county", "421200", False),
    ("421223", "崇阳县", "chongyangxian", "county", "421200", False),
    ("421224", "通山县", "tongshanxian", "county", "421200", False),
    ("421281", "赤壁市", "chibishi", "county", "421200", False),
    ("421300", "随州市", "suizhoushi", "city", "420000", False),
    ("421303", "曾都区", "zengduqu", "county", "421300", False),
    ("421321", "随县", "suixian", "county", "421300", False),
    ("421381", "广水市", "guangshuishi", "county", "421300", False),
    ("422800", "恩施土家族苗族自治州", "enshitujiazumiaozuzizhizhou", "city", "420000", False),
    ("422801", "恩施市", "enshishi", "county", "422800", False),
    ("422802", "利川市", "lichuanshi", "county", "422800", False),
    ("422822", "建始县", "jianshixian", "county", "422800", False),
    ("422823", "巴东县", "badongxian", "county", "422800", False),
    ("422825", "宣恩县", "xuanenxian", "county", "422800", False),
    ("422826", "咸丰县", "xianfengxian", "county", "422800", False),
    ("422827", "来凤县", "laifengxian", "county", "422800", False),
    ("422828", "鹤峰县", "hefengxian", "county", "422800", False),
    ("429004", "仙桃市", "xiantaoshi", "county", "420000", True),
    ("429005", "潜江市", "qianjiangshi", "county", "420000", True),
    ("429006", "天门市", "tianmenshi", "county", "420000", True),
    ("429021", "神农架林区", "shennongjialinqu", "county", "420000", True),
)


def load_regions(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    Region.objects.bulk_create(
        Region(
            code=code,
            name=name,
            pinyin=pinyin,
            level=level,
            parent_id=parent,
            directly_administered=direct,
        )
        for code, name, pinyin, level, parent, direct in REGIONS
    )


def unload_regions(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    # Children first: the parent link is PROTECT.
    for level in ("county", "city", "province"):
        codes = [code for code, _name, _pinyin, lvl, _parent, _direct in REGIONS if lvl == level]
        Region.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_regions, unload_regions),
    ]
