#!/usr/bin/python3
"""Generate the sample round: base draft, an older round, 13 delegations' submissions, registry, manifest.

Runs under Debian's ``/usr/bin/python3`` (LibreOffice's ``uno``); ``make samples`` runs it. Every
submission is made by LibreOffice recording changes under the delegation's Word author name (see
``samples/lodoc.py``); the scenario is described in ``samples/README.md``. Generation is
deterministic: fixed names, fixed dates, and revision dates normalised, so regenerating gives the
same tracked changes (and, on the same LibreOffice version, the same bytes).

    /usr/bin/python3 samples/generate.py               # into samples/
    /usr/bin/python3 samples/generate.py --out DIR     # elsewhere (the regeneration test)

One file is post-processed: LibreOffice 7.4 records moving a paragraph as a deletion plus an
insertion, never as a Word move, so Mexico's move of OP11 is turned into ``w:moveFrom`` /
``w:moveTo`` by ``make_move`` below.
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _builder():
    """``samples/lodoc.py``, loaded from this folder (no sys.path change, so importing this module
    from the test venv to read ``INDEX`` has no side effects)."""
    spec = importlib.util.spec_from_file_location("samples_lodoc", HERE / "lodoc.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module

SYMBOL = "E/CN.7/2027/L.5"
TITLE = ("Strengthening international cooperation in preventing and combating the misuse of information and "
         "communications technologies for illicit drug trafficking")

# ----------------------------------------------------------------------------- the draft text

HEAD = [
    {"text": "Distr.: Limited", "align": "right"},
    {"text": "{date}", "align": "right"},
    {"text": "Original: English", "align": "right"},
    {"text": "Commission on Narcotic Drugs", "bold": True},
    "Seventieth session",
    "Vienna, 15\u201319 March 2027",
    "Item 5 (b) of the provisional agenda",
    "Egypt, Singapore and Thailand: draft resolution",
    {"text": TITLE, "bold": True},
    {"text": "The Commission on Narcotic Drugs,", "italic": True},
]

PP = {
    "PP1": "PP1. Concerned about the increase in trafficking in drugs and precursor chemicals through the misuse of "
           "information and communications technologies, including the Internet, the darknet, social media "
           "platforms, anonymous and encrypted connections, messaging applications and electronic payment systems,",
    "PP2": "PP2. Recognizing that the coronavirus disease (COVID-19) pandemic triggered greater misuse by criminal "
           "organizations of information and communications technologies for trafficking in drugs and precursors, "
           "as well as of electronic payment systems for drug-related money-laundering,",
    "PP3": "PP3. Recognizing also that changes in trafficking methods, including increases in the contactless sale of "
           "drugs by means of the darknet and the Internet, require the adaptation of law enforcement authorities\u2019 "
           "and financial intelligence units\u2019 working techniques,",
    "PP4": "PP4. Recognizing further that the use of private-sector platforms has become a convenient way to arrange "
           "the purchase and delivery of drugs and has increased the need for law enforcement and other relevant "
           "authorities to engage, as appropriate, with the private sector,",
    "PP5": "PP5. Recalling all commitments related to addressing the challenges posed by the misuse of information and "
           "communications technologies for drug trafficking and drug-related money-laundering, as contained in the "
           "Ministerial Declaration adopted in 2019,",
    "PP6": "PP6. Recalling further the World Drug Report 2026, in which it was stated that about 74 per cent of "
           "transactions on the darknet were drug-related,",
    "PP7": "PP7. Recalling the United Nations Office on Drugs and Crime report on illicit financial flows, in which it "
           "was acknowledged that, globally, less than 1 per cent of criminal proceeds were seized and frozen,",
    "PP8": "PP8. Recalling also its resolutions 48/5 of 11 March 2005 and 58/6 of 17 March 2015 on strengthening "
           "international cooperation to prevent the use of the Internet to commit drug-related crime,",
}

OP = {
    "OP1": "Calls upon Member States to strengthen the capacity of national law enforcement authorities and financial "
           "intelligence units in order to effectively detect and counter drug-related crime and money-laundering "
           "conducted through the misuse of information and communications technologies;",
    "OP2": "Urges Member States to take appropriate measures to identify, interdict and, when necessary, shut down "
           "online resources used for trafficking in drugs and precursors, consistent with relevant and applicable law;",
    "OP3": "Calls upon Member States, where appropriate, to promote national coordination among financial intelligence "
           "units, judicial, police, customs and other competent authorities, including through:",
    "OP3(a)": "The exchange of information on online trafficking patterns;",
    "OP3(b)": "Joint training of investigators and prosecutors;",
    "OP3(c)": "Cooperation with postal and courier agencies;",
    "OP4": "Urges Member States to strengthen bilateral, regional and international cooperation in order to counter the "
           "misuse of information and communications technologies and electronic payment systems by criminal "
           "organizations;",
    "OP5": "Calls upon Member States to encourage cooperation between internet service providers, online payment "
           "service providers, virtual asset service providers and competent authorities;",
    "OP6": "Also calls upon Member States to identify those who operate websites or online platforms used for "
           "trafficking in drugs and precursors;",
    "OP7": "Encourages competent national authorities to increase public awareness of the risks associated with the "
           "purchase of illicit drugs and precursors over the Internet and the darknet;",
    "OP8": "Requests the United Nations Office on Drugs and Crime to conduct, in close cooperation with Member States, "
           "research on the global extent of trafficking in drugs and precursors through the misuse of information and "
           "communications technologies;",
    "OP9": "Invites Member States with appropriate expertise and resources to provide technical assistance, upon "
           "request, in the field of countering the misuse of information and communications technologies for drug "
           "trafficking;",
    "OP10": "Invites Member States and other donors to provide extrabudgetary resources for the purposes described "
            "above, in accordance with the rules and procedures of the United Nations;",
    "OP11": "Requests the Executive Director of the United Nations Office on Drugs and Crime to report to the "
            "Commission on Narcotic Drugs at its seventy-first session on the implementation of the present resolution;",
    "OP12": "Decides to remain seized of the matter.",
}

FOOTNOTE_PP6 = "Booklet 2, Global Overview: Drug Demand and Drug Supply (United Nations publication, 2026)."

# The older round (round 0): a shorter PP1 and OP5, and an earlier date; same paragraphs otherwise.
ROUND0_CHANGES = {
    "PP1": "PP1. Concerned about the increase in trafficking in drugs through the misuse of information and "
           "communications technologies, including the Internet and the darknet,",
    "OP5": "Calls upon Member States to encourage cooperation between internet service providers and competent "
           "authorities;",
}

#: Body paragraph index of each paragraph identifier (and "title", "chapeau") in base.docx and round0.docx.
INDEX: dict[str, int] = {"title": 8, "chapeau": 9}
INDEX.update({pid: 10 + i for i, pid in enumerate(PP)})
INDEX.update({pid: 10 + len(PP) + i for i, pid in enumerate(OP)})


def draft_spec(date_line: str, texts: dict[str, str], date: str) -> dict:
    """The spec of a clean draft: masthead, PPs with typed labels, OPs in real list numbering."""
    paragraphs = [dict(p, text=p["text"].format(date=date_line)) if isinstance(p, dict) else p for p in HEAD]
    # 6 pt (212/100 mm) after each paragraph, as in UN documents
    paragraphs += [{"text": texts.get(pid, text), "align": "justify", "space_after": 212} for pid, text in PP.items()]
    paragraphs += [{"text": texts.get(pid, text), "align": "justify", "space_after": 212,
                    "list_level": 1 if "(" in pid else 0} for pid, text in OP.items()]
    return {
        "name": "base", "paragraphs": paragraphs, "header": SYMBOL, "page_numbers": True,
        "author": "CND Secretariat", "track": False, "date": date,
        "edits": [{"op": "footnote", "para": INDEX["PP6"], "after": "were drug-related,", "text": FOOTNOTE_PP6}],
    }


# ----------------------------------------------------------------------------- the submissions

# Shorthands for edits: the paragraph is named by its identifier.
def ins(pid: str, text: str, **where) -> dict:
    return {"op": "insert", "para": INDEX[pid], "text": text, **where}


def rep(pid: str, old: str, new: str) -> dict:
    return {"op": "replace", "para": INDEX[pid], "find": old, "text": new}


def note(pid: str, words: str, text: str, **extra) -> dict:
    return {"op": "comment", "para": INDEX[pid], "find": words, "text": text, **extra}


#: file, submitting delegation (None: the sender's address is not in the registry), sender, arrival,
#: base ("base" or "round0"), spec (author, track, date, edits).
SUBMISSIONS = [
    {
        "file": "L5 ICT draft EGY.docx", "delegation": None, "sender": "ahmed.hassan.eg@gmail.com",
        "arrived": "2027-02-12T08:05:00+00:00", "base": "base",
        "spec": {"author": "Ahmed Hassan", "track": True, "date": "2027-02-12T07:40:00Z", "edits": [
            ins("PP2", "illicit ", before="trafficking in drugs and precursors"),
            ins("OP2", "illicit ", before="trafficking in drugs"),
            note("OP5", "virtual asset service providers", "consult with capital"),
        ]},
    },
    {
        "file": "CND L5 - Singapore.docx", "delegation": "Singapore", "sender": "vienna.delegation@mfa.gov.sg",
        "arrived": "2027-02-12T08:40:00+00:00", "base": "base",
        "spec": {"author": "SGP", "track": True, "date": "2027-02-12T08:10:00Z", "edits": [
            ins("PP2", " and abuse", after="greater misuse"),
            ins("PP2", "illicit ", before="trafficking in drugs and precursors"),
            ins("OP1", " and abuse", after="through the misuse"),
        ]},
    },
    {
        "file": "L5 Cuba-Venezuela joint.docx", "delegation": "Cuba", "sender": "cubaviena@minrex.gob.cu",
        "arrived": "2027-02-12T09:15:00+00:00", "base": "base",
        "spec": {"author": "Misión Permanente de Cuba", "track": True, "date": "2027-02-12T09:00:00Z", "edits": [
            ins("PP2", "illicit ", before="trafficking in drugs and precursors"),
            {"op": "insert_paragraph", "after": INDEX["OP9"], "text":
                "Requests the United Nations Office on Drugs and Crime to provide specialized technical assistance "
                "and training to requesting States with a view to supporting their efforts in combating the misuse "
                "of information and communications technologies for drug trafficking;"},
            {"op": "author", "name": "Delegación de Venezuela"},
            rep("OP8", "close cooperation", "close consultation"),
            ins("OP8", "further ", before="research"),
        ]},
    },
    {
        "file": "Turkiye comments L5.docx", "delegation": "Turkey", "sender": "delegation.vienna@mfa.gov.tr",
        "arrived": "2027-02-12T10:02:00+00:00", "base": "base",
        "spec": {"author": "Türkiye", "track": True, "date": "2027-02-12T09:45:00Z", "edits": [
            ins("PP1", "the deepweb, ", after="the darknet, "),
            {"op": "insert_paragraph", "after": INDEX["PP3"], "numbered": False, "text":
                "PP3 bis. Taking into account the challenges that some Member States face in countering the misuse "
                "of information and communications technologies for drug trafficking, in particular in acquiring the "
                "software, hardware and equipment needed to handle digital evidence,"},
            # OP5 is one paragraph further down now: PP3 bis was inserted above it.
            {"op": "comment", "para": INDEX["OP5"] + 1, "find": "virtual asset service providers", "text": "retain"},
        ]},
    },
    {
        "file": "iran comments (2).docx", "delegation": "Iran (Islamic Republic of)",
        "sender": "iranmission.vienna@mfa.gov.ir", "arrived": "2027-02-12T10:30:00+00:00", "base": "base",
        "spec": {"author": "User", "track": True, "date": "2027-02-12T10:20:00Z", "edits": [
            rep("PP2", "drug-related money-laundering", "laundering proceeds of drug-related crimes"),
            note("OP5", "virtual asset service providers", "reservation"),
        ]},
    },
    {
        "file": "China proposals L5.docx", "delegation": "China", "sender": "chinamission@mfa.gov.cn",
        "arrived": "2027-02-12T11:00:00+00:00", "base": "base",
        "spec": {"author": "Wang Lei", "track": True, "date": "2027-02-12T10:45:00Z", "edits": [
            rep("PP2", "drug-related money-laundering", "illicit financial flows linked to drug trafficking"),
            rep("OP2", "Urges", "Encourages"),
        ]},
    },
    {
        "file": "L5 ICT draft (2) USA.docx", "delegation": "United States", "sender": "unvie.delegation@state.gov",
        "arrived": "2027-02-12T11:20:00+00:00", "base": "base",
        "spec": {"author": "USA", "track": True, "date": "2027-02-12T11:10:00Z", "edits": [
            {"op": "delete_paragraph", "para": INDEX["OP10"], "expect": OP["OP10"]},
        ]},
    },
    {
        "file": "EU comments L.5.docx", "delegation": "European Union", "sender": "delegation-vienna@eeas.europa.eu",
        "arrived": "2027-02-12T11:45:00+00:00", "base": "base",
        "spec": {"author": "EU Delegation", "track": False, "date": "2027-02-12T11:30:00Z", "edits": [
            note("title", TITLE, "Reservation on the resolution"),
            note("OP5", "virtual asset service providers", "flexible"),
        ]},
    },
    {
        "file": "Mexico L5 ICT.docx", "delegation": "Mexico", "sender": "onuviena@sre.gob.mx",
        "arrived": "2027-02-12T12:10:00+00:00", "base": "base",
        "spec": {"author": "Delegation of Mexico", "track": True, "date": "2027-02-12T12:00:00Z", "edits": [
            {"op": "replace", "para": INDEX["PP3"], "at": 5, "expect": "Recognizing", "text": "Acknowledging"},
            # The move of OP11 after OP12: LibreOffice records it as an insertion plus a deletion;
            # make_move() turns the pair into a Word move.
            {"op": "insert_paragraph", "after": INDEX["OP12"], "text": OP["OP11"]},
            {"op": "delete_paragraph", "para": INDEX["OP11"], "expect": OP["OP11"]},
        ]},
        "move": OP["OP11"],
    },
    {
        "file": "L5 ICT draft PAK.docx", "delegation": "Pakistan", "sender": "pakmission.vienna@mofa.gov.pk",
        "arrived": "2027-02-12T12:40:00+00:00", "base": "base",
        "spec": {"author": "Pakistan Mission", "track": False, "date": "2027-02-12T12:30:00Z", "edits": [
            ins("PP1", "online marketplaces, ", before="anonymous and encrypted connections"),
            {"op": "delete", "para": INDEX["OP7"], "find": " and the darknet"},
        ]},
    },
    {
        "file": "Chair's proposal PP1.docx", "delegation": "Chair", "sender": "cnd.chair@un.org",
        "arrived": "2027-02-12T13:05:00+00:00", "base": "base",
        "spec": {"author": "Chair's proposal", "track": True, "date": "2027-02-12T13:00:00Z", "edits": [
            ins("PP1", "illicit ", before="drugs and precursor chemicals"),
        ]},
    },
    {
        "file": "RF amendments L5.docx", "delegation": "Russian Federation", "sender": "rusmission@mid.ru",
        "arrived": "2027-02-12T13:30:00+00:00", "base": "base",
        "spec": {"author": "Delegation of the Russian Federation", "track": True, "date": "2027-02-12T13:15:00Z",
                 "edits": [
            {"op": "footnote", "para": INDEX["PP1"], "after": "electronic payment systems", "text":
                "Electronic payment systems are linked to a fiat currency, while virtual payment systems can also be "
                "converted into other virtual currencies."},
            rep("OP5", "virtual asset", "digital asset"),
        ]},
    },
    {
        "file": "ZA inputs L5.docx", "delegation": "South Africa", "sender": "vienna@dirco.gov.za",
        "arrived": "2027-02-12T14:00:00+00:00", "base": "round0",
        "spec": {"author": "Delegation of South Africa", "track": True, "date": "2027-02-12T13:50:00Z", "edits": [
            ins("PP1", " and precursors", after="trafficking in drugs"),
            ins("OP9", " and capacity-building", after="technical assistance"),
        ]},
    },
]

REGISTRY = [
    ("Egypt", ["Ahmed Hassan", "Delegation of Egypt", "EGY"], ["@mfa.gov.eg"]),
    ("Singapore", ["SGP", "Delegation of Singapore", "Tan Wei Ming"], ["@mfa.gov.sg"]),
    ("Turkey", ["Türkiye", "Turkiye", "Delegation of Türkiye", "TUR"], ["@mfa.gov.tr"]),
    ("Iran (Islamic Republic of)", ["Iran", "IRN", "Delegation of Iran"], ["@mfa.gov.ir"]),
    ("Mexico", ["Delegation of Mexico", "MEX", "Misión de México"], ["@sre.gob.mx"]),
    ("China", ["Wang Lei", "CHN", "Delegation of China"], ["@mfa.gov.cn"]),
    ("Cuba", ["Misión Permanente de Cuba", "CUB", "Delegation of Cuba"], ["@minrex.gob.cu"]),
    ("Venezuela (Bolivarian Republic of)", ["Delegación de Venezuela", "Venezuela", "VEN"], ["@mppre.gob.ve"]),
    ("Pakistan", ["Pakistan Mission", "PAK", "Delegation of Pakistan"], ["@mofa.gov.pk"]),
    ("Russian Federation", ["Delegation of the Russian Federation", "Russia", "RUS"], ["@mid.ru"]),
    ("European Union", ["EU Delegation", "EU", "EEAS"], ["@eeas.europa.eu"]),
    ("United States", ["USA", "United States of America", "U.S. Mission"], ["@state.gov"]),
    ("South Africa", ["Delegation of South Africa", "ZAF", "Thandi Nkosi"], ["@dirco.gov.za"]),
    ("Switzerland", ["Delegation of Switzerland", "CHE", "Swiss Mission"], ["@eda.admin.ch"]),
    ("Chair", ["Chair's proposal", "Chair", "Facilitator"], ["cnd.chair@un.org"]),
]


# ----------------------------------------------------------------------------- the move


def make_move(path: Path, text: str, name: str = "move1") -> None:
    """Turn the tracked deletion and insertion of paragraph ``text`` into a Word move (moveFrom/moveTo).

    LibreOffice wrote: the moved paragraph's text and mark as ``w:del``; at the destination the
    previous paragraph's mark and the text as ``w:ins``. Word writes the same places as
    ``w:moveFrom``/``w:moveTo`` with named ``moveFromRangeStart``/``moveToRangeStart`` around them,
    and ``w:t`` (not ``w:delText``) inside ``w:moveFrom``.
    """
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    xml = parts["word/document.xml"].decode("utf-8")
    body = re.escape(_xml_escape(text))
    attrs = r'(w:author="[^"]*" w:date="[^"]*")'
    # Source: <w:p>…<w:rPr><w:del mark/></w:rPr></w:pPr><w:del …><w:r>…<w:delText>text</w:delText></w:r></w:del></w:p>
    source = re.compile(
        r'<w:rPr><w:del w:id="(\d+)" ' + attrs + r'></w:del></w:rPr></w:pPr>'
        r'<w:del w:id="(\d+)" ' + attrs + r'><w:r><w:rPr></w:rPr><w:delText>' + body + r'</w:delText></w:r></w:del></w:p>')
    match = source.search(xml)
    if not match:
        raise SystemExit(f"{path}: cannot find the deleted paragraph {text[:40]!r} to turn into a move")
    xml = xml[:match.start()] + (
        f'<w:rPr><w:moveFrom w:id="{match.group(1)}" {match.group(2)}/></w:rPr></w:pPr>'
        f'<w:moveFromRangeStart w:id="9001" {match.group(4)} w:name="{name}"/>'
        f'<w:moveFrom w:id="{match.group(3)}" {match.group(4)}><w:r><w:rPr></w:rPr><w:t>{_xml_escape(text)}</w:t></w:r></w:moveFrom>'
        f'<w:moveFromRangeEnd w:id="9001"/></w:p>') + xml[match.end():]
    # Destination: the previous paragraph's inserted mark, then the inserted text.
    dest = re.compile(
        r'<w:rPr><w:ins w:id="(\d+)" ' + attrs + r'></w:ins></w:rPr></w:pPr>((?:(?!</w:p>).)*)</w:p>'
        r'(<w:p>(?:(?!</w:p>).)*?</w:pPr>)<w:ins w:id="(\d+)" ' + attrs + r'><w:r><w:rPr></w:rPr><w:t>' + body +
        r'</w:t></w:r></w:ins></w:p>')
    match = dest.search(xml)
    if not match:
        raise SystemExit(f"{path}: cannot find the inserted paragraph {text[:40]!r} to turn into a move")
    xml = xml[:match.start()] + (
        f'<w:rPr><w:moveTo w:id="{match.group(1)}" {match.group(2)}/></w:rPr></w:pPr>{match.group(3)}</w:p>'
        f'{match.group(4)}<w:moveToRangeStart w:id="9002" {match.group(6)} w:name="{name}"/>'
        f'<w:moveTo w:id="{match.group(5)}" {match.group(6)}><w:r><w:rPr></w:rPr><w:t>{_xml_escape(text)}</w:t></w:r></w:moveTo>'
        f'<w:moveToRangeEnd w:id="9002"/></w:p>') + xml[match.end():]
    parts["word/document.xml"] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for filename, data in parts.items():
            info = zipfile.ZipInfo(filename, date_time=(2027, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ----------------------------------------------------------------------------- main


def generate(out: Path) -> list[Path]:
    """Write the whole sample round into ``out``; return the documents made."""
    lodoc = _builder()
    (out / "submissions").mkdir(parents=True, exist_ok=True)
    made = []
    with lodoc.Office() as office:
        base = lodoc.build(office, draft_spec("5 February 2027", {}, "2027-02-05T09:00:00Z"),
                           out / "base.docx", "base.docx")
        round0 = lodoc.build(office, dict(draft_spec("22 January 2027", ROUND0_CHANGES, "2027-01-22T09:00:00Z"),
                                          name="round0"), out / "round0.docx", "round0.docx")
        made += [base, round0]
        for sub in SUBMISSIONS:
            spec = dict(sub["spec"], base=str(base if sub["base"] == "base" else round0), name=sub["file"])
            target = out / "submissions" / sub["file"]
            lodoc.build(office, spec, target, sub["file"])
            if "move" in sub:
                make_move(target, sub["move"])
            made.append(target)
    manifest = [{"file": s["file"], "delegation": s["delegation"], "arrived": s["arrived"],
                 "sender": s["sender"]} for s in SUBMISSIONS]
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    with open(out / "delegations.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["delegation", "aliases", "emails"])
        for name, aliases, emails in REGISTRY:
            writer.writerow([name, "; ".join(aliases), "; ".join(emails)])
    return made


def main(argv: list[str]) -> int:
    """Command line: generate into --out (default: this folder)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into (default: samples/)")
    args = parser.parse_args(argv)
    lodoc = _builder()
    try:
        made = generate(args.out)
    except lodoc.SpecError as exc:
        print(f"generate.py: {exc}", file=sys.stderr)
        return lodoc.EXIT_SPEC_ERROR
    except lodoc.OfficeError as exc:
        print(f"generate.py: LibreOffice: {exc}", file=sys.stderr)
        return lodoc.EXIT_NO_OFFICE
    print(f"wrote {len(made)} documents, manifest.json and delegations.csv into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
