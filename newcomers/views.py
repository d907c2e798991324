from django.utils.translation import gettext_lazy as _

from willkommen.roles import advisor_required, coordinator_required
from willkommen.views import section_placeholder

referral_list = coordinator_required(section_placeholder(_("Referrals")))
tandem_list = coordinator_required(section_placeholder(_("Tandems")))
my_referrals = advisor_required(section_placeholder(_("My referrals")))
