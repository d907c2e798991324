"""Vocabularies that mentors and newcomers share, so that matching compares like with like."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class District(models.TextChoices):
    """Stuttgart's 23 city districts (Stadtbezirke), plus the surrounding area."""

    MITTE = "mitte", "Mitte"
    NORD = "nord", "Nord"
    OST = "ost", "Ost"
    SUED = "sued", "Süd"
    WEST = "west", "West"
    BAD_CANNSTATT = "bad-cannstatt", "Bad Cannstatt"
    BIRKACH = "birkach", "Birkach"
    BOTNANG = "botnang", "Botnang"
    DEGERLOCH = "degerloch", "Degerloch"
    FEUERBACH = "feuerbach", "Feuerbach"
    HEDELFINGEN = "hedelfingen", "Hedelfingen"
    MOEHRINGEN = "moehringen", "Möhringen"
    MUEHLHAUSEN = "muehlhausen", "Mühlhausen"
    MUENSTER = "muenster", "Münster"
    OBERTUERKHEIM = "obertuerkheim", "Obertürkheim"
    PLIENINGEN = "plieningen", "Plieningen"
    SILLENBUCH = "sillenbuch", "Sillenbuch"
    STAMMHEIM = "stammheim", "Stammheim"
    UNTERTUERKHEIM = "untertuerkheim", "Untertürkheim"
    VAIHINGEN = "vaihingen", "Vaihingen"
    WANGEN = "wangen", "Wangen"
    WEILIMDORF = "weilimdorf", "Weilimdorf"
    ZUFFENHAUSEN = "zuffenhausen", "Zuffenhausen"
    SURROUNDING_AREA = "umgebung", _("Surrounding area (outside Stuttgart)")


class Language(models.TextChoices):
    """Languages people bring, by ISO 639 code; add a line when a new one is needed."""

    GERMAN = "de", _("German")
    ENGLISH = "en", _("English")
    ARABIC = "ar", _("Arabic")
    TURKISH = "tr", _("Turkish")
    UKRAINIAN = "uk", _("Ukrainian")
    RUSSIAN = "ru", _("Russian")
    PERSIAN = "fa", _("Persian (Farsi)")
    DARI = "prs", _("Dari")
    PASHTO = "ps", _("Pashto")
    KURMANJI = "kmr", _("Kurdish (Kurmanji)")
    SORANI = "ckb", _("Kurdish (Sorani)")
    TIGRINYA = "ti", _("Tigrinya")
    AMHARIC = "am", _("Amharic")
    SOMALI = "so", _("Somali")
    FRENCH = "fr", _("French")
    SPANISH = "es", _("Spanish")
    ITALIAN = "it", _("Italian")
    PORTUGUESE = "pt", _("Portuguese")
    POLISH = "pl", _("Polish")
    ROMANIAN = "ro", _("Romanian")
    BULGARIAN = "bg", _("Bulgarian")
    SERBO_CROATIAN = "sh", _("Serbian, Croatian, Bosnian")
    ALBANIAN = "sq", _("Albanian")
    GREEK = "el", _("Greek")
    HUNGARIAN = "hu", _("Hungarian")
    URDU = "ur", _("Urdu")
    HINDI = "hi", _("Hindi")
    TAMIL = "ta", _("Tamil")
    CHINESE = "zh", _("Chinese")
    VIETNAMESE = "vi", _("Vietnamese")
    SWAHILI = "sw", _("Swahili")


class LanguageLevel(models.TextChoices):
    """CEFR levels; 'none yet' is a real and common answer for newcomers' German."""

    NONE = "none", _("none yet")
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"
    NATIVE = "native", _("native language")


class Weekday(models.TextChoices):
    MONDAY = "mon", _("Monday")
    TUESDAY = "tue", _("Tuesday")
    WEDNESDAY = "wed", _("Wednesday")
    THURSDAY = "thu", _("Thursday")
    FRIDAY = "fri", _("Friday")
    SATURDAY = "sat", _("Saturday")
    SUNDAY = "sun", _("Sunday")


class TimeOfDay(models.TextChoices):
    MORNING = "morning", _("mornings")
    AFTERNOON = "afternoon", _("afternoons")
    EVENING = "evening", _("evenings")
