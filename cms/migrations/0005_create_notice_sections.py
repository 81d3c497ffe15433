"""Mount the notices section at /notices/ and the hotline directory at /hotline/ under the home
page, so a fresh install serves both (they replace the "coming soon" pages)."""

from django.db import migrations

PAGES = (
    # (model, slug, title, intro)
    ("noticeindexpage", "notices", "公示公告", "政策文件、政策解读、救助对象公示和工作动态，按地区、类别和年份查找。"),
    ("hotlinepage", "hotline", "服务热线", "遇到困难或对社会救助有意见建议，可拨打以下热线，也可在网上投诉。"),
)


def create_pages(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    HomePage = apps.get_model("cms.HomePage")
    home = HomePage.objects.filter(depth=2).order_by("path").first()
    if home is None:
        return
    for model, slug, title, intro in PAGES:
        if Page.objects.filter(path__startswith=home.path, depth=home.depth + 1, slug=slug).exists():
            continue
        Model = apps.get_model("cms", model)
        content_type, __ = ContentType.objects.get_or_create(model=model, app_label="cms")
        last = Page.objects.filter(path__startswith=home.path, depth=home.depth + 1).order_by("-path").first()
        step = int(last.path[-4:], 36) + 1 if last else 1
        suffix = ""
        alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        for __ in range(4):
            step, digit = divmod(step, 36)
            suffix = alphabet[digit] + suffix
        Model.objects.create(
            title=title,
            draft_title=title,
            slug=slug,
            content_type=content_type,
            path=home.path + suffix,
            depth=home.depth + 1,
            numchild=0,
            url_path=f"{home.url_path}{slug}/",
            locale_id=home.locale_id,
            intro=intro,
            live=True,
        )
        Page.objects.filter(pk=home.pk).update(numchild=Page.objects.filter(path__startswith=home.path, depth=home.depth + 1).count())


def remove_pages(apps, schema_editor):
    for model, slug, __, __ in PAGES:
        apps.get_model("cms", model).objects.filter(slug=slug).delete()


class Migration(migrations.Migration):
    dependencies = [("cms", "0004_notices")]
    operations = [migrations.RunPython(create_pages, remove_pages)]
