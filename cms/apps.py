from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public site")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_migrate, post_save

        from cms import editorial
        from cms.models import NoticeIndexPage, NoticeSectionPage

        user_model = get_user_model()
        for model in (NoticeIndexPage, NoticeSectionPage):
            post_save.connect(
                editorial.on_section_saved, sender=model, dispatch_uid=f"cms-groups-{model.__name__}"
            )
        post_save.connect(editorial.on_user_saved, sender=user_model, dispatch_uid="cms-groups-user")
        m2m_changed.connect(
            editorial.on_user_groups_changed,
            sender=user_model.groups.through,
            dispatch_uid="cms-groups-user-groups",
        )
        post_migrate.connect(
            editorial.ensure_editorial_setup, sender=self, dispatch_uid="cms-editorial-setup"
        )
