from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from accounts.forms import PortalUserCreationForm, PortalUserEditForm


class UserViewSet(WagtailUserViewSet):
    # These templates add the region and department fields to Wagtail's user forms.
    create_template_name = "accounts/users/create.html"
    edit_template_name = "accounts/users/edit.html"

    def get_form_class(self, for_update=False):
        return PortalUserEditForm if for_update else PortalUserCreationForm
