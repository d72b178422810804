#!/usr/bin/env python3
"""Checks the translations beside the English check catalog and of the report chrome.

For every checks/<area>/<id>.yaml there must be a checks/<area>/<id>.<lang>.yaml that parses, names the same
id and language, translates title, rationale and detection, and has one remediation entry per English step
in the same order, with notes exactly where the English step has them. Placeholders such as {guest} must be
the same set in each translated field as in its English original (a lost placeholder loses information, an
invented one is never filled), and every `inline code` span of the English field must survive verbatim.
report-templates/i18n/<lang>.yaml must have exactly the keys of en.yaml, the same placeholders per key, and
plural entries with the forms the language needs.

Usage: check-translations.py [REPO_ROOT] [--lang ru]     exit status 1 and one line per problem on failure.
"""
import glob
import os
import re
import sys

import yaml

PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
CODE = re.compile(r"`[^`]+`")
PLURAL_FORMS = {"en": {"one", "other"}, "ru": {"one", "few", "many"}}


def placeholders(text):
    return set(PLACEHOLDER.findall(text or ""))


def check_field(problems, where, english, translated, lang):
    if not isinstance(translated, str) or not translated.strip():
        problems.append(f"{where}: missing or empty")
        return
    if lang == "ru" and not re.search("[А-Яа-яЁё]", translated):
        problems.append(f"{where}: no Russian text")
    if placeholders(english) != placeholders(translated):
        problems.append(f"{where}: placeholders {sorted(placeholders(translated))} differ from English {sorted(placeholders(english))}")
    for span in CODE.findall(english or ""):
        if span not in translated:
            problems.append(f"{where}: inline code {span} of the English text is missing")


def check_catalog(root, lang, problems):
    english_files = sorted(f for f in glob.glob(os.path.join(root, "checks", "*", "*.yaml"))
                           if not re.search(r"\.[a-z]{2}\.yaml$", f))
    if not english_files:
        problems.append("no check files found under checks/")
    for path in english_files:
        english = yaml.safe_load(open(path, encoding="utf-8"))
        translated_path = path[: -len(".yaml")] + f".{lang}.yaml"
        name = os.path.relpath(translated_path, root)
        if not os.path.exists(translated_path):
            problems.append(f"{name}: missing")
            continue
        try:
            translated = yaml.safe_load(open(translated_path, encoding="utf-8"))
        except yaml.YAMLError as error:
            problems.append(f"{name}: not YAML: {error}")
            continue
        if not isinstance(translated, dict):
            problems.append(f"{name}: not a map")
            continue
        if translated.get("id") != english["id"]:
            problems.append(f"{name}: id {translated.get('id')!r}, English file says {english['id']!r}")
        if translated.get("lang") != lang:
            problems.append(f"{name}: lang {translated.get('lang')!r}")
        unknown = set(translated) - {"id", "lang", "title", "rationale", "detection", "remediation"}
        if unknown:
            problems.append(f"{name}: unexpected keys {sorted(unknown)}")
        for field in ("title", "rationale", "detection"):
            check_field(problems, f"{name}: {field}", english.get(field), translated.get(field), lang)
        steps, english_steps = translated.get("remediation") or [], english.get("remediation") or []
        if len(steps) != len(english_steps):
            problems.append(f"{name}: {len(steps)} remediation steps, English has {len(english_steps)}")
            continue
        for number, (step, english_step) in enumerate(zip(steps, english_steps), 1):
            where = f"{name}: remediation {number}"
            if not isinstance(step, dict):
                problems.append(f"{where}: not a map")
                continue
            if set(step) - {"title", "notes"}:
                problems.append(f"{where}: unexpected keys {sorted(set(step) - {'title', 'notes'})} (commands stay in the English file)")
            check_field(problems, f"{where} title", english_step.get("title"), step.get("title"), lang)
            if ("notes" in english_step) != ("notes" in step):
                problems.append(f"{where}: notes {'missing' if 'notes' in english_step else 'where English has none'}")
            elif "notes" in step:
                check_field(problems, f"{where} notes", english_step["notes"], step["notes"], lang)


def check_chrome(root, lang, problems):
    directory = os.path.join(root, "report-templates", "i18n")
    try:
        english = yaml.safe_load(open(os.path.join(directory, "en.yaml"), encoding="utf-8"))
        translated = yaml.safe_load(open(os.path.join(directory, f"{lang}.yaml"), encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        problems.append(f"report-templates/i18n: {error}")
        return
    name = f"report-templates/i18n/{lang}.yaml"
    if set(english) != set(translated):
        problems.append(f"{name}: keys only in en.yaml {sorted(set(english) - set(translated))}, "
                        f"only in {lang}.yaml {sorted(set(translated) - set(english))}")
    for key in sorted(set(english) & set(translated)):
        source, target = english[key], translated[key]
        if isinstance(source, dict):
            if set(source) != PLURAL_FORMS["en"]:
                problems.append(f"en.yaml: {key}: plural forms {sorted(source)}, expected {sorted(PLURAL_FORMS['en'])}")
            if not isinstance(target, dict) or set(target) != PLURAL_FORMS.get(lang, set(target)):
                problems.append(f"{name}: {key}: needs plural forms {sorted(PLURAL_FORMS.get(lang, []))}")
                continue
            wanted = placeholders(" ".join(source.values()))
            for form, text in target.items():
                if placeholders(text) != wanted:
                    problems.append(f"{name}: {key}.{form}: placeholders differ from English")
        elif isinstance(target, str) and isinstance(source, str):
            if placeholders(source) != placeholders(target):
                problems.append(f"{name}: {key}: placeholders {sorted(placeholders(target))} differ from English {sorted(placeholders(source))}")
        else:
            problems.append(f"{name}: {key}: expected a string")


def main(arguments):
    lang = "ru"
    if "--lang" in arguments:
        index = arguments.index("--lang")
        lang = arguments[index + 1]
        del arguments[index:index + 2]
    root = arguments[0] if arguments else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    problems = []
    check_catalog(root, lang, problems)
    check_chrome(root, lang, problems)
    for problem in problems:
        print(problem)
    print(f"translations ({lang}): {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
