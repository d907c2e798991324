from django.utils.translation import gettext_lazy as _

from willkommen.roles import coordinator_required
from willkommen.views import section_placeholder

seminar_list = coordinator_required(section_placeholder(_("Seminars")))
