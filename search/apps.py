from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from django.db.models.signals import post_delete
        from wagtail.models import Page
        from wagtail.signals import page_published, page_unpublished

        from marketplace.needs.hooks import need_keyword_search, needs_changed
        from marketplace.organizations.hooks import organizations_changed
        from search import indexing

        needs_changed.connect(indexing.needs_changed)
        organizations_changed.connect(indexing.organizations_changed)
        need_keyword_search.connect(indexing.need_keyword_search)
        page_published.connect(indexing.page_changed, dispatch_uid="search.page_published")
        page_unpublished.connect(indexing.page_changed, dispatch_uid="search.page_unpublished")
        # Deleting a page deletes its row of every class in its chain, Page's among them.
        post_delete.connect(indexing.page_deleted, sender=Page, dispatch_uid="search.page_deleted")
