"""Words the stages recognise, in one place and in the languages posters are printed in.

Each list is a convention of how posters are printed, not a list of one poster's words:
organisation words name institutions, label words introduce a block rather than being part of
it, role words mark people who are not the poster's authors. Kept together so every stage
agrees on them and a new language is added once.
"""

from __future__ import annotations

import re

# The section names scientific posters use over and over, by role, in the languages of the
# corpus' kind. One table, so every stage agrees on them: a line that is exactly one of them is
# a heading whatever its typography (it can end a banner or be refused as an author name even
# in the title's size or ending in ':'), and the assembler finds the abstract, the sections
# that cite other works, and an opening section that summarises the poster by the same words.
SECTION_NAMES: dict[str, str] = {
    "abstract": r"abstract|summary|overview|zusammenfassung|resumen|résumé|riassunto|resumo|sommario",
    "introduction": r"introduction|background|motivation|einleitung|hintergrund|introducción|introduzione|"
    r"introdução|contexto|contesto",
    "aims": r"objectives?|aims?|purpose|objetivos?|obiettivi|ziele?",
    "methods": r"methods?|methodology|materials and methods|approach|methoden|métodos|metodologia|metodi|"
    r"méthodes?|méthodologie",
    "results": r"results?|findings|results and discussion|discussion|ergebnisse|resultados|risultati|"
    r"résultats|discussão|discusión|discussione",
    # Posters set out "key finding first" open with their conclusions.
    "conclusions": r"conclusions?|key (?:findings|messages?)|take[- ]home messages?|fazit|conclusiones|"
    r"conclusão|conclusões|conclusioni",
    "outlook": r"outlook|future work|trabalhos futuros|perspectives",
    "cited": r"references?|bibliography|literature|literatur|works cited|sources|quellen|referências|"
    r"referencias|bibliografia|bibliographie|références",
    "funding": r"acknowledge?ments?|funding|disclosures?|conflicts? of interest|agradecimentos|"
    r"agradecimientos|ringraziamenti|remerciements|danksagung",
    "other": r"contact|abbreviations",
}


def names(*roles: str) -> str:
    """The section names of `roles` (of every role when none is given) as a regex alternation."""
    return "|".join(SECTION_NAMES[r] for r in roles or tuple(SECTION_NAMES))


# The words that open a caption ("Figure 2.", "Tab. 1:"), as a regex alternation.
CAPTION_WORDS = r"fig(?:ure)?|table|tab|abb(?:ildung)?|figura|tabela|tabla|tabella|tableau"
# Labels of a printed keyword line.
KEYWORD_LABELS = (
    r"key\s*words?|keywords?|schlüsselwörter|palabras clave|palavras[- ]chave|parole chiave|mots[- ]clés"
)

# Words that name an institution: affiliations are printed with them, names and titles rarely.
INSTITUTION_WORDS = re.compile(
    r"\b(universit(?:y|ies|at|ät|é|à|ad|ade|eit|et|as)|institut(?:e|es|o|a|ion|ions|et)?|department|dept\.?|"
    r"hospital(?:s|es)?|cent(?:er|re|ro|rum)|laborat(?:ory|ories|oire|ório|orio|orium)|umr|"
    r"school|college|faculty|facult\w+|inc\.?|ltd\.?|gmbh|s\.r\.l\.?|corporation|company|foundation|"
    r"academy|academia|ministry|agency|clinic(?:s|a|as|o|os|um)?|museum|library|libraries|observatory|"
    r"universidad|universidade|università|université|universität|universiteit|instituto|istituto|"
    r"departamento|dipartimento|département|fakultät|facultad|faculdade|escola|escuela|scuola|"
    r"hochschule|politecnico|politécnico|polytechnic|inserm|cnrs|csic|eth|epfl)\b",
    re.IGNORECASE,
)
# Fields of study and units name departments and groups, never a person; in a title they are common.
FIELD_WORDS = re.compile(
    r"\b(research|sciences?|division|unit|hub|council|society|programme|program|consortium|lab|labs|"
    r"ecology|biology|engineering|medicine|psychology|informatics|mathematics|physics|chemistry|"
    r"technology|technologies|linguistics|languages?|recognition|computing|computation|\w*statistics|"
    r"economics|humanities|philosophy|history|studies|systems|health|data|management|education|"
    r"communication|neuroscience|genetics|genomics|pharmacy|pharmacology|nursing|dentistry|surgery|"
    r"oncology|cardiology|radiology|pathology|pediatrics|agriculture|environment(?:al)?|geography|"
    r"geology|astronomy|astrophysics|archaeology|cognition|sociology|anthropology|biotechnology)\b",
    re.IGNORECASE,
)
ORG_WORDS = re.compile(f"{INSTITUTION_WORDS.pattern}|{FIELD_WORDS.pattern}", re.IGNORECASE)

# Words that name a group rather than a person ("the RECONS Team", "FAIR4RS Task Force").
GROUP_WORDS = re.compile(r"\b(team|group|consortium|collaboration|task force|network|initiative)\b", re.I)

# A label that opens an author block ("Authors:", "Autores") rather than naming anyone.
AUTHOR_LABEL = re.compile(
    r"^\s*(authors?|author\(s\)|autor(?:es|as)?|autor\(es\)|auteurs?|autori|autore|verfasser|"
    r"presented by|presenters?|by)\s*:?\s*",
    re.IGNORECASE,
)

# Labels of people or blocks that are not the poster's authors. A line that opens with one of
# them ("Supervisor: Prof. X", "Orientadora: ...", "Contact: ...") names no creator.
NON_AUTHOR_LABEL = re.compile(
    r"^\s*(supervis(?:or|ors|ed by|ion)|advis(?:or|ors|er|ers|ed by)|co-?supervisors?|mentors?|"
    r"orientador(?:a|es|as)?|co-?orientador(?:a|es|as)?|relatore|relatrice|correlatore|betreuer(?:in)?|"
    r"directeur|directrice|director(?:a)?(?: de tese)?|tutor(?:a|s)?|encadrant\w*|"
    r"contacts?|contact (?:person|details|information)|correspondence|corresponding author|"
    r"e-?mail|email|phone|tel\.?|website|web|acknowledge?ments?|funding|funded by|sponsors?|"
    r"project team(?: members)?|team members|members|partners?|collaborators?|"
    r"affiliations?|keywords?|palavras-chave|palabras clave|poster(?: number| nr\.?| no\.?)?|abstract(?: nr\.?| no\.?)?)"
    r"\s*[:：]",
    re.IGNORECASE,
)

# Headings of blocks that list people who are not authors (they have no colon of their own).
NON_AUTHOR_HEADING = re.compile(
    r"^\s*(project team(?: members)?|team members|(?:the )?team|acknowledge?ments?|funding|contacts?|"
    r"supervisors?|advisors?|orientador(?:a|es|as)?|partners|collaborators|references?|literature)\s*:?\s*$",
    re.IGNORECASE,
)

# Job titles and roles: printed beside a person's name, never one of its words.
ROLE_WORDS = {
    "professor", "prof", "lecturer", "student", "students", "director", "directora", "chair",
    "dean", "head", "manager", "coordinator", "coordinadora", "coordinador", "postdoc",
    "researcher", "fellow", "candidate", "intern", "engineer", "scientist", "president",
    "supervisor", "advisor", "orientador", "orientadora", "assistant", "associate", "emeritus",
    "undergraduate", "graduate", "doctoral", "msc", "phd", "presenter", "author", "authors",
}  # fmt: skip

# Full month names: a date's words. (Abbreviations are left out: "Jun", "May" are also given names.)
MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "janeiro", "fevereiro", "março", "abril", "maio", "junho",
    "julho", "agosto", "setembro", "outubro", "novembro", "dezembro", "enero", "febrero", "marzo",
    "mayo", "junio", "julio", "septiembre", "octubre", "noviembre", "diciembre", "gennaio",
    "febbraio", "aprile", "maggio", "giugno", "luglio", "settembre", "ottobre", "dicembre",
    "januar", "februar", "märz", "juni", "juli", "oktober", "dezember", "janvier", "février",
    "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
    "décembre",
}  # fmt: skip

# Function words of running text: a name is never made of them (particles are checked apart).
FUNCTION_WORDS = {
    "the", "of", "for", "in", "on", "at", "to", "with", "from", "by", "an", "a", "is", "are",
    "this", "that", "our", "we", "its", "their", "as", "or", "not", "via", "into", "using",
    "und", "der", "die", "das", "für", "mit", "von", "zur", "zum", "le", "la", "les", "des",
    "pour", "avec", "sur", "el", "los", "las", "para", "con", "por", "em", "na", "no", "nas",
    "nos", "il", "lo", "gli", "per", "dei", "delle",
}  # fmt: skip

# Footnotes keyed by the same symbols as affiliations ("* These authors contributed equally").
AUTHOR_FOOTNOTE = re.compile(
    r"^\s*(these authors contributed equally|contributed equally|equal(?:ly)? contribut\w*|"
    r"corresponding authors?|presenting authors?|joint first authors?|co-first authors?|"
    r"shared first authorship)\b",
    re.IGNORECASE,
)
