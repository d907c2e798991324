"""The demo's words: a small hand-written bank of what people in the programme actually write.

`manage.py seed_demo` draws every free text from here, so that a department trying the app
reads plausible notes instead of generated word salad. Mostly German, as in the programme,
with some English where newcomers or mentors would write it. Names of newcomers are common
names of the countries people come from, in the spelling of German documents; mentors' German
names come from Faker.
"""

# --- Newcomers -------------------------------------------------------------------------------

# country of origin: (languages, first names, last names)
ORIGINS = {
    "Syrien": (["ar"], ["Rania", "Omar", "Lina", "Khaled", "Nour", "Samir", "Hiba", "Yusuf"],
               ["Al-Khatib", "Darwish", "Mansour", "Saleh", "Nasser", "Hamdan", "Khoury"]),
    "Ukraine": (["uk", "ru"], ["Olena", "Andrii", "Iryna", "Oksana", "Dmytro", "Kateryna",
                               "Mykola", "Tetiana"],
                ["Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Melnyk", "Kravets"]),
    "Afghanistan": (["prs", "fa"], ["Zahra", "Ahmad", "Fatima", "Farid", "Maryam", "Jawad"],
                    ["Ahmadi", "Hosseini", "Rahimi", "Karimi", "Noori", "Sultani"]),
    "Türkei": (["tr", "kmr"], ["Elif", "Mehmet", "Ayşe", "Emre", "Zeynep", "Deniz"],
               ["Yılmaz", "Kaya", "Şahin", "Çelik", "Aydın", "Öztürk"]),
    "Eritrea": (["ti"], ["Semhar", "Yonas", "Helen", "Dawit", "Senait", "Filmon"],
                ["Tesfaye", "Gebremedhin", "Haile", "Berhane", "Kidane"]),
    "Indien": (["en", "hi"], ["Priya", "Arjun", "Ananya", "Rahul"],
               ["Sharma", "Patel", "Iyer", "Reddy"]),
    "Nigeria": (["en"], ["Chidi", "Ngozi", "Emeka", "Adaeze"],
                ["Okafor", "Adeyemi", "Nwosu", "Balogun"]),
    "Iran": (["fa"], ["Shirin", "Reza", "Parisa", "Arash", "Nasrin"],
             ["Sadeghi", "Moradi", "Jafari", "Rezaei"]),
    "Rumänien": (["ro"], ["Ioana", "Andrei", "Elena", "Mihai"],
                 ["Popescu", "Ionescu", "Dumitru", "Stan"]),
}  # fmt: skip

# What a household with children needs, and the support areas (slugs) that says.
FAMILY_NEEDS = [
    ("Die Familie sucht eine größere Wohnung und braucht Hilfe, Wohnungsanzeigen zu verstehen "
     "und mit Vermietern Kontakt aufzunehmen.", ["housing", "first-steps"]),
    ("Der Kita-Platz für den jüngsten Sohn ist zugesagt. Die Familie braucht Unterstützung bei "
     "der Anmeldung und beim ersten Elterngespräch.", ["school", "authorities"]),
    ("Die Kinder gehen in die Grundschule. Die Eltern möchten verstehen, wie die Schule "
     "funktioniert, und Elternbriefe selbst lesen können.", ["school", "german"]),
    ("Die Familie ist erst seit wenigen Wochen in Stuttgart und kennt sich kaum aus: Bus und "
     "Bahn, Einkaufen, Kinderärztin, Sportverein für die Kinder.", ["first-steps", "leisure"]),
    ("Post vom Jobcenter und von der Familienkasse ist gekommen, und die Familie weiß nicht, was "
     "zu tun ist. Eine Begleitung zu den Terminen wäre eine große Hilfe.", ["authorities"]),
    ("Die Mutter möchte ihr Deutsch im Alltag üben. Sie hat den A2-Kurs abgeschlossen und traut "
     "sich noch nicht, selbst beim Arzt anzurufen.", ["german", "first-steps"]),
    ("Der Vater hat einen Ausbildungsplatz als Kfz-Mechatroniker in Aussicht und braucht Hilfe "
     "mit den Unterlagen und den Gesprächen mit dem Betrieb.", ["jobs", "authorities"]),
    ("The family speaks English well. They would like a local contact to practise German and to "
     "learn how schools and daycare work in Stuttgart.", ["german", "school"]),
]  # fmt: skip

# What an adult without children needs.
ADULT_NEEDS = [
    ("Er ist Elektroingenieur und sucht eine Stelle in seinem Beruf. Die Anerkennung läuft; "
     "Hilfe beim Lebenslauf und bei Bewerbungen wäre gut.", ["jobs"]),
    ("Sie fühlt sich sehr allein und würde gern Kontakte knüpfen, etwa in einem Chor, einem "
     "Sportverein oder einem Nachbarschaftstreff.", ["leisure", "german"]),
    ("Termine bei der Ausländerbehörde und beim Jobcenter stehen an. Eine Begleitung würde "
     "helfen, damit nichts missverstanden wird.", ["authorities"]),
    ("Das Ehepaar wohnt noch in einer Gemeinschaftsunterkunft und sucht eine eigene Wohnung. "
     "Ein Wohnberechtigungsschein liegt vor.", ["housing", "authorities"]),
    ("Ein junger Mann, 19 Jahre, geht in die Berufsschule und sucht jemanden, mit dem er Deutsch "
     "sprechen und die Stadt entdecken kann.", ["german", "leisure"]),
    ("She is a software developer on an EU Blue Card and would like help with everyday "
     "paperwork, health insurance and finding a flat.", ["housing", "authorities"]),
    ("Sie ist Pflegefachkraft und wartet auf die Anerkennung ihres Abschlusses. Bis dahin "
     "möchte sie Deutsch üben und sich auf die Fachsprachprüfung vorbereiten.", ["german", "jobs"]),
]  # fmt: skip

NOTES_FOR_MENTOR = [
    "Am besten nachmittags telefonisch erreichbar; der älteste Sohn übersetzt oft.",
    "Bitte Besuche vorher per Messenger ankündigen.",
    "Die Mutter hat im nächsten Monat einen Termin beim Gesundheitsamt.",
    "Prefers to be contacted by text message in English.",
]

# A coordinator's question to the advisor, and the advisor's answer.
QUESTIONS = [
    ("Wie alt sind die Kinder genau, und welche Schule besuchen sie?",
     "Die Kinder sind 7 und 10 Jahre alt und gehen in die Rosensteinschule."),
    ("Hat die Familie schon einen Termin bei der Ausländerbehörde, zu dem die Begleitung "
     "mitkommen soll?", "Ja, Ende des Monats. Die Einladung liegt der Familie vor."),
    ("Ist für das erste Treffen eine Dolmetscherin nötig, oder reicht Englisch?",
     "Englisch reicht, er spricht es fließend."),
    ("Welche Tage passen? Im Bogen ist dazu nichts angegeben.",
     "Dienstag- und Donnerstagnachmittag; vormittags ist Integrationskurs."),
    ("Could you confirm that she agreed to share her phone number with the mentor?",
     "Yes, she agreed and signed the consent form last week."),
    ("Wohnt die Familie schon in der neuen Wohnung in Feuerbach oder noch in der Unterkunft?",
     "Seit letzter Woche in der neuen Wohnung, die Adresse ist aktualisiert."),
]  # fmt: skip

# --- Mentors ---------------------------------------------------------------------------------

MOTIVATIONS = [
    "Ich bin selbst vor zwanzig Jahren nach Stuttgart gekommen und weiß noch, wie viel mir eine "
    "Nachbarin damals geholfen hat. Das möchte ich gern weitergeben.",
    "Seit ich in Rente bin, habe ich Zeit und Lust, mich zu engagieren. Behördengänge kenne ich "
    "aus meinem Berufsleben gut.",
    "Ich studiere Soziale Arbeit und möchte neben dem Studium etwas Sinnvolles tun, am liebsten "
    "mit jungen Menschen.",
    "Unsere Kinder sind aus dem Haus. Wir haben Zeit und würden gern eine Familie beim Ankommen "
    "begleiten.",
    "Im Sportverein trainiere ich Kinder aus vielen Ländern. Ich möchte auch den Eltern den "
    "Einstieg erleichtern.",
    "Bei der Arbeit erlebe ich oft, wie Fachkräfte aus dem Ausland an Formularen verzweifeln. "
    "Da kann ich helfen.",
    "Ich lerne gern neue Menschen kennen und zeige gern meine Stadt, vom Wochenmarkt bis zur "
    "Stadtbibliothek.",
    "Eine Freundin ist seit zwei Jahren WillkommensPatin und erzählt begeistert davon. Jetzt "
    "möchte ich es auch versuchen.",
    "Als Lehrerin im Ruhestand möchte ich beim Deutschlernen helfen, ganz ohne Notendruck.",
    "Mir ist wichtig, dass sich Menschen in unserem Viertel willkommen fühlen. Ein paar Stunden "
    "im Monat kann ich gut einplanen.",
    "Ich arbeite Teilzeit und habe vormittags Zeit. Gern begleite ich zu Terminen bei Ämtern "
    "oder beim Arzt.",
    "Ich habe selbst einige Jahre im Ausland gelebt und weiß, wie gut es tut, wenn einem jemand "
    "die ersten Schritte zeigt.",
    "I moved to Stuttgart from Canada six years ago and still remember how confusing the first "
    "weeks were. I would love to help others settle in.",
    "I work in an international team and speak English every day. I'd like to support "
    "newcomers who don't speak German yet, especially with job applications.",
]
# The languages of ORIGINS, as a German sentence names them.
LANGUAGE_NAMES = {
    "ar": "Arabisch", "uk": "Ukrainisch", "prs": "Dari", "tr": "Türkisch", "ti": "Tigrinya",
    "en": "Englisch", "fa": "Persisch", "ro": "Rumänisch",
}  # fmt: skip
# For mentors who came to Germany themselves and speak the newcomers' language natively.
MOTIVATIONS_OWN_WAY = [
    "Ich spreche {language} und Deutsch und weiß, wie schwer die ersten Monate ohne "
    "Sprachkenntnisse sind.",
    "Ich bin vor einigen Jahren selbst hier angekommen und möchte anderen den Weg leichter "
    "machen, auch auf {language}.",
]

PREFERENCE_NOTES = [
    "Ich bin gut zu Fuß, habe aber kein Auto.",
    "Am Wochenende habe ich meistens Zeit.",
    "Gern jemand, der auch Freude am Wandern hat.",
]

MENTOR_CONTACTED = [
    "E-Mail mit Terminvorschlägen für das Erstgespräch geschickt.",
    "Telefonisch erreicht, Erstgespräch wird vereinbart.",
    "Auf dem Anrufbeantworter um Rückruf gebeten.",
]
MENTOR_NOTES = [
    "Erstgespräch im Büro: sehr motiviert, hat schon Erfahrung in der Hausaufgabenhilfe.",
    "Fragt nach Fortbildungen zum Aufenthaltsrecht.",
    "Bis Ende des Monats im Urlaub, danach wieder erreichbar.",
    "Würde gern eine Familie in der Nähe begleiten, damit Treffen ohne lange Wege möglich sind.",
    "Phone call in English: happy to start, would like a family with young children.",
]
PAUSE_NOTES = [
    "Elternzeit bis zum Frühjahr, meldet sich danach wieder.",
    "Beruflich stark eingebunden, möchte im neuen Jahr wieder einsteigen.",
    "Nach dem Ende der Begleitung erst einmal eine Pause.",
]
# Why a mentor leaves, in the coordinator's words (by LeftReason value).
LEFT_NOTES = {
    "no-time": "Neue Stelle im Schichtdienst, keine Zeit mehr für ein Ehrenamt.",
    "moved": "Zieht beruflich nach Freiburg.",
    "health": "Aus gesundheitlichen Gründen; möchte später vielleicht wieder einsteigen.",
    "not-suitable": "Nach dem Erstgespräch gemeinsam entschieden, dass das Programm nicht passt.",
    "no-reply": "Auf drei Anrufe und zwei E-Mails keine Antwort.",
    "other": "Engagiert sich jetzt in der Hausaufgabenhilfe ihrer Kirchengemeinde.",
}

# Why a mentor said no to a proposal.
PROPOSAL_DECLINED = [
    "Ich bin die nächsten Wochen beruflich viel unterwegs und könnte den Anfang nicht gut "
    "begleiten.",
    "Bad Cannstatt ist für mich leider zu weit weg, ich habe kein Auto.",
    "My mother is ill at the moment and I need my free time for her.",
]

# --- Tandems ---------------------------------------------------------------------------------

FIRST_MEETING_PLACES = [
    "Welcome Center Stuttgart, Charlottenplatz 17",
    "Stadtbibliothek am Mailänder Platz, Café im Erdgeschoss",
    "Bürgerhaus West, Bebelstraße 22",
    "Gemeinschaftsunterkunft, Gemeinschaftsraum im Erdgeschoss",
]

# (agreed contents, expected duration, where they meet, how often)
AGREEMENTS = [
    ("Deutsch im Alltag üben, Briefe von Behörden gemeinsam lesen, Kita-Anmeldung begleiten.",
     "ein halbes Jahr", "bei der Familie und in der Stadtbibliothek", "alle zwei Wochen"),
    ("Bewerbungen: Lebenslauf, Anschreiben, Vorbereitung auf Vorstellungsgespräche.",
     "drei bis sechs Monate", "Café oder Bibliothek", "einmal pro Woche"),
    ("Wohnungssuche: Anzeigen durchgehen, Besichtigungen begleiten, Unterlagen vorbereiten.",
     "bis eine Wohnung gefunden ist", "online und bei Besichtigungen", "wöchentlich"),
    ("Die Stadt kennenlernen, Vereine und Treffpunkte im Viertel finden, Deutsch sprechen.",
     "ein Jahr", "unterwegs in der Stadt", "alle zwei Wochen"),
    ("Begleitung zu Ausländerbehörde, Jobcenter und Schule; Post gemeinsam sortieren.",
     "ein halbes Jahr", "bei der Familie und bei den Ämtern", "etwa zweimal im Monat"),
    ("Practising German conversation; help with the residence permit and health insurance.",
     "six months", "cafés in the city centre", "every other week"),
]  # fmt: skip

# Support contacts: what coordinators note, by how the tandem is going.
EARLY_CHECK_NOTES = [
    "Erstes Nachfassen: Die beiden verstehen sich gut, das nächste Treffen ist vereinbart.",
    "Frühe Rückfrage: Der Anfang war wegen der Sprache etwas holprig, mit Übersetzungs-App "
    "klappt es jetzt.",
    "Early check with the mentor: the first two meetings went well, they started on the flat "
    "search.",
]
GOOD_NOTES = [
    "Die Patin berichtet, dass die Familie inzwischen selbst Termine beim Kinderarzt vereinbart.",
    "Telefonat mit dem Paten: Die Bewerbungsunterlagen sind fertig, zwei Vorstellungsgespräche "
    "stehen an.",
    "Der Sohn hat einen Kita-Platz bekommen, die Mutter ist sehr erleichtert.",
    "Treffen im Welcome Center: Beide sind zufrieden und treffen sich alle zwei Wochen.",
    "The newcomer says the tandem helps a lot; they now go to a language café together.",
    "Kurze E-Mail der Patin: Alles läuft gut, keine offenen Fragen.",
    "Die Familie hat eine Wohnung in Zuffenhausen gefunden, der Umzug ist im nächsten Monat.",
    "",
]
MIXED_NOTES = [
    "Die Treffen sind seltener als geplant, weil der Pate beruflich eingespannt ist. Wir bleiben "
    "in Kontakt.",
    "Die Familie wünscht sich mehr Hilfe bei Behördenbriefen, als die Patin leisten kann. "
    "Hinweis auf die Migrationsberatung gegeben.",
]
CONCERN_NOTES = [
    "Die Patin fühlt sich von den vielen Anfragen der Familie überfordert. Gespräch über "
    "Grenzen im Ehrenamt vereinbart.",
    "Der Newcomer hat zwei Treffen abgesagt und antwortet kaum auf Nachrichten. Nachfrage über "
    "die Beratung im Welcome Center.",
]

# How a tandem ended, in the coordinator's note (by EndReason value).
END_NOTES = {
    "goals-reached": [
        "Die Familie kommt im Alltag jetzt gut allein zurecht. Beide wollen privat in Kontakt "
        "bleiben.",
        "Stelle gefunden: Er arbeitet seit dem Ersten als Elektroniker in Feuerbach.",
        "Die Kinder sind in Kita und Schule angekommen, die Eltern regeln die Post selbst.",
    ],
    "moved": ["Die Familie ist zu Verwandten nach Hamburg gezogen."],
    "mentor-unavailable": ["Der Pate zieht beruflich nach Freiburg."],
    "did-not-fit": [
        "Die Erwartungen lagen zu weit auseinander; die Familie wünscht sich eine Patin. Neue "
        "Vermittlung angestoßen."
    ],
    "contact-lost": ["Seit Wochen keine Rückmeldung der Familie, auch nicht über die Beratung."],
    "other": ["Die Familie wird jetzt vom Jugendmigrationsdienst begleitet."],
}
CLOSING_PLANNED = "Das Abschlussgespräch ist für den nächsten Monat vereinbart."

# --- Seminars and reflection meetings ----------------------------------------------------------

# type: (title, description, audience, facilitator, place)
EVENTS = {
    "intro": [(
        "Einführungsseminar für WillkommensPatinnen und -Paten",
        "Was Patinnen und Paten erwartet: Aufgaben und Grenzen, Datenschutz und Schweigepflicht, "
        "wichtige Anlaufstellen in Stuttgart. Mit erfahrenen Patinnen und Paten zum Austausch.",
        "neue Patinnen und Paten nach dem Erstgespräch",
        "Katrin Koch, Abteilung Integrationspolitik",
        "Rathaus Stuttgart, Marktplatz 1, Raum 2.018",
    )],
    "training": [
        ("Fortbildung: Interkulturelle Kommunikation",
         "Missverständnisse erkennen und ansprechen, mit Übungen aus dem Tandemalltag.",
         "alle aktiven Patinnen und Paten", "Dr. Miriam Lehmann",
         "Welcome Center Stuttgart, Charlottenplatz 17, Seminarraum"),
        ("Fortbildung: Aufenthaltsrecht in Grundzügen",
         "Aufenthaltstitel, Fristen und Zuständigkeiten, verständlich erklärt. Keine "
         "Rechtsberatung, aber ein sicherer Überblick.",
         "alle aktiven Patinnen und Paten", "Jonas Weber, Migrationsberatung",
         "Rathaus Stuttgart, Marktplatz 1, Großer Sitzungssaal"),
        ("Fortbildung: Traumasensibel begleiten",
         "Was Flucht mit Menschen macht, woran man Belastung erkennt und wo es Hilfe gibt.",
         "alle aktiven Patinnen und Paten", "Dr. Miriam Lehmann",
         "Welcome Center Stuttgart, Charlottenplatz 17, Seminarraum"),
        ("Fortbildung: Grenzen setzen und gut für sich sorgen",
         "Wie viel ist genug? Erwartungen klären, Nein sagen, Unterstützung holen.",
         "alle aktiven Patinnen und Paten", "Sabine Roth, Supervisorin",
         "Generationenhaus West, Ludwigstraße 41–43"),
    ],  # fmt: skip
    "reflection": [(
        "Reflexionstreffen der Patinnen und Paten",
        "Austausch über die Erfahrungen in den Tandems und kollegiale Beratung in kleinen "
        "Gruppen. Bei Kaffee und Kuchen.",
        "Patinnen und Paten mit laufender Begleitung",
        "Katrin Koch, Abteilung Integrationspolitik",
        "Generationenhaus West, Ludwigstraße 41–43",
    )],
}  # fmt: skip

# An upcoming event that had to move (seminars.services.event_update mails everyone).
CHANGED_PLACE = "Rathaus Stuttgart, Marktplatz 1, Raum 2.114 (neuer Raum)"

# What coordinators note and want to look at again (newcomers.services notes and follow-ups).
REFERRAL_NOTE = "Beraterin erreicht: Termine lieber nachmittags, der Vater arbeitet morgens."
TANDEM_NOTES = [
    "Erster Termin bei der Ausländerbehörde gut gelaufen, nächster im Januar.",
    "Patin fragt nach einem Deutschkurs für die Mutter mit Kinderbetreuung.",
]
FOLLOW_UPS = [
    "Beraterin fragen: Kita-Platz gefunden?",
    "Führungszeugnis läuft ab: an die Verlängerung erinnern",
    "Pate nach dem ersten Behördentermin fragen",
    "Rückruf der Familie wegen Wohnungssuche",
]

# Mentors' notes to their monthly hours, and a check-in answer that asks for a call.
HOURS_NOTES = [
    "Zwei Termine bei der Ausländerbehörde, einmal Deutsch geübt.",
    "Wohnungsbesichtigung begleitet und Formulare fürs Jobcenter ausgefüllt.",
    "Mit der Familie in der Stadtbibliothek, Anmeldung für die Kinder.",
    "",
    "Telefonate mit der Schule, Elternabend übersetzt.",
]
CHECK_IN_CALL = (
    "Die Familie ist umgezogen, ich weiß nicht, wie es jetzt weitergeht. Bitte rufen Sie mich an."
)
