#!/usr/bin/env python3
"""Checks a Markdown document against the repository (docs/architecture.md by default).

  paths     every repository path the document names (tests/..., core/..., docs/...) exists,
            it names at least --min-test-files distinct files under tests/, and every CamelCase
            name it quotes in backticks (a test, a class, a function) occurs in the sources.
  diagrams  every Mermaid block is preceded by `<!-- diagram: NAME -->`, has a supported type
            header, only known statements, and balanced blocks, brackets and quotes; every NAME
            has docs/diagrams/NAME.dot and NAME.svg, and every .dot there has a Mermaid block.
            The DOT sources are checked by scripts/render-diagrams --check (graphviz).

A real Mermaid renderer needs a browser; this check is structural.

usage: check_architecture_doc.py --root DIR [--doc FILE] [--min-test-files N] paths|diagrams
"""
import argparse
import os
import re
import sys

# Top-level directories of the repository whose paths a document may name.
REPO_DIRS = ("tests", "core", "crypto", "ports", "host", "scripts", "docs", "bench", "demo", "sim",
             "cmake")
PATH_RE = re.compile(r"(?<![\w/.-])(?:\.\./)?((?:%s)/[A-Za-z0-9_./*-]*[A-Za-z0-9_*/])"
                     % "|".join(REPO_DIRS))


def repo_paths(text):
    """Repository-relative paths named in `text` (in links, code spans or prose)."""
    paths = set()
    for match in PATH_RE.finditer(text):
        path = match.group(1)
        if "*" in path or "<" in path:  # globs and placeholders name patterns, not files
            continue
        paths.add(path.rstrip("/"))
    return paths


SOURCE_DIRS = ("core", "crypto", "ports", "host", "sim", "tests", "bench", "demo")
SOURCE_EXTS = (".hpp", ".cpp", ".h", ".c")


def missing_identifiers(root, text):
    """CamelCase names the document quotes in backticks (tests such as
    `CrashLoopIsReverted`, classes such as `ImageControl`, `Class::Method`) that appear in no
    source file of the repository."""
    wanted = set()
    for quoted in re.findall(r"`([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*(?:::[A-Za-z0-9_]+)?)(?:\(\))?`",
                             text):
        wanted.update(part for part in quoted.split("::") if re.search(r"[a-z][A-Z]", part))
    found = set()
    for top in SOURCE_DIRS:
        for folder, _, files in os.walk(os.path.join(root, top)):
            for name in files:
                if not name.endswith(SOURCE_EXTS):
                    continue
                with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
                    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", f.read()))
                found.update(wanted & words)
    return sorted(wanted - found)


def check_paths(root, doc_path, text, min_test_files):
    errors = []
    paths = repo_paths(text)
    doc_dir = os.path.relpath(os.path.dirname(os.path.abspath(doc_path)), root)
    # Links relative to the document (e.g. spec/smp.md from docs/) are resolved from its folder.
    for match in re.finditer(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        target = match.group(1)
        if re.match(r"^[a-z]+:", target) or target.startswith("/"):
            continue
        paths.add(os.path.normpath(os.path.join(doc_dir, target)))
    for path in sorted(paths):
        if not os.path.exists(os.path.join(root, path)):
            errors.append("names %s, which does not exist in the repository" % path)
    for name in missing_identifiers(root, text):
        errors.append("names `%s`, which no source file defines or uses" % name)
    test_files = sorted(p for p in paths if p.startswith("tests/") and
                        os.path.isfile(os.path.join(root, p)))
    if len(test_files) < min_test_files:
        errors.append("names %d test files, fewer than the %d expected" %
                      (len(test_files), min_test_files))
    return errors, test_files


FLOW_EDGE = re.compile(r"(-->|---|-\.->|-\.-|==>|<-->|--[ox]|~~~)")
FLOW_NODE = re.compile(r"^[A-Za-z_][\w-]*\s*(\[|\(|\{|>)")
SEQ_ARROW = re.compile(r"^[\w ]+?\s*(-->>|->>|-->|->|--x|-x|--\)|-\))\s*[+-]?[\w ]+?\s*:\s*\S")
SEQ_STATEMENTS = re.compile(
    r"^(participant|actor)\s+\w+(\s+as\s+.+)?$|^autonumber\b|^(activate|deactivate)\s+\w+$|"
    r"^Note\s+(left of|right of|over)\s+\w+(\s*,\s*\w+)?\s*:\s*\S|"
    r"^(loop|alt|else|opt|par|and|rect|critical|break|option)\b|^end$")
STATE_STATEMENTS = re.compile(
    r"^(\[\*\]|\w+)\s*-->\s*(\[\*\]|\w+)(\s*:\s*\S.*)?$|^state\s+\"[^\"]+\"\s+as\s+\w+$|"
    r"^state\s+\w+(\s*<<\w+>>)?(\s*\{)?$|^\}$|^\w+\s*:\s*\S|^direction\s+(TB|BT|LR|RL)$|^--$|"
    r"^note\s+(left|right)\s+of\s+\w+|^end note$")
BLOCK_OPENERS_SEQ = ("loop", "alt", "opt", "par", "rect", "critical", "break")


def balanced(line):
    """Brackets and double quotes balance within one statement line."""
    if line.count('"') % 2:
        return False
    stack = []
    pairs = {")": "(", "]": "[", "}": "{"}
    in_quote = False
    for ch in line:
        if ch == '"':
            in_quote = not in_quote
        elif in_quote:
            continue
        elif ch in "([{":
            stack.append(ch)
        elif ch in ")]}":
            if not stack or stack.pop() != pairs[ch]:
                return False
    return not stack


def check_mermaid_block(name, lines):
    errors = []
    body = [l.strip() for l in lines if l.strip() and not l.strip().startswith("%%")]
    if not body:
        return ["diagram %s: empty Mermaid block" % name]
    header, statements = body[0], body[1:]
    for line in statements:
        # ';' ends a statement in Mermaid, also where a reader sees it inside a label.
        if ";" in line:
            errors.append("diagram %s: ';' in a statement (Mermaid ends statements there): %s"
                          % (name, line))
        # Mermaid's parser reads a bare 'end' inside a label as the end of a block.
        if re.search(r"[\[(|{\"][^\]\)|}\"]*\bend\b", line) and line != "end":
            errors.append("diagram %s: the word 'end' inside a label breaks Mermaid: %s"
                          % (name, line))
    if not statements:
        errors.append("diagram %s: no statements after the header" % name)
    depth = 0
    if re.match(r"^(flowchart|graph)\s+(TB|TD|BT|LR|RL)$", header):
        for line in statements:
            if line.startswith("subgraph "):
                depth += 1
            elif line == "end":
                depth -= 1
            elif re.match(r"^(direction\s+(TB|TD|BT|LR|RL)|classDef |class |style |linkStyle )",
                          line):
                pass
            elif not (FLOW_EDGE.search(line) or FLOW_NODE.match(line)):
                errors.append("diagram %s: not a flowchart statement: %s" % (name, line))
            if line.startswith("subgraph ") or line == "end":
                pass
            elif not balanced(line):
                errors.append("diagram %s: unbalanced brackets or quotes: %s" % (name, line))
            if depth < 0:
                errors.append("diagram %s: 'end' without 'subgraph'" % name)
                depth = 0
    elif header == "sequenceDiagram":
        for line in statements:
            word = line.split()[0]
            if word in BLOCK_OPENERS_SEQ:
                depth += 1
            elif line == "end":
                depth -= 1
            if not (SEQ_STATEMENTS.match(line) or SEQ_ARROW.match(line)):
                errors.append("diagram %s: not a sequence statement: %s" % (name, line))
            if depth < 0:
                errors.append("diagram %s: 'end' without a block" % name)
                depth = 0
    elif header == "stateDiagram-v2":
        for line in statements:
            if line.endswith("{"):
                depth += 1
            elif line == "}":
                depth -= 1
            if not STATE_STATEMENTS.match(line):
                errors.append("diagram %s: not a state diagram statement: %s" % (name, line))
            if depth < 0:
                errors.append("diagram %s: '}' without 'state ... {'" % name)
                depth = 0
    else:
        return ["diagram %s: unsupported Mermaid header '%s' (flowchart/graph DIR, "
                "sequenceDiagram, stateDiagram-v2)" % (name, header)]
    if depth != 0:
        errors.append("diagram %s: %d block(s) left open" % (name, depth))
    return errors


def mermaid_blocks(text):
    """[(name or None, [lines])] for every ```mermaid block, with the diagram marker before it."""
    blocks = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```mermaid":
            name = None
            j = i - 1
            while j >= 0 and not lines[j].strip():
                j -= 1
            marker = re.match(r"^<!--\s*diagram:\s*([\w-]+)\s*-->$", lines[j].strip()) if j >= 0 \
                else None
            if marker:
                name = marker.group(1)
            k = i + 1
            while k < len(lines) and lines[k].strip() != "```":
                k += 1
            if k == len(lines):
                blocks.append((name, None))
                break
            blocks.append((name, lines[i + 1:k]))
            i = k
        i += 1
    return blocks


def check_diagrams(root, text, diagram_dir):
    errors = []
    blocks = mermaid_blocks(text)
    if not blocks:
        errors.append("no Mermaid blocks")
    names = []
    for index, (name, lines) in enumerate(blocks):
        label = name or "#%d" % (index + 1)
        if lines is None:
            errors.append("diagram %s: Mermaid block is not closed" % label)
            continue
        if name is None:
            errors.append("Mermaid block #%d has no '<!-- diagram: NAME -->' line before it"
                          % (index + 1))
        else:
            if name in names:
                errors.append("diagram %s appears twice" % name)
            names.append(name)
            for ext in ("dot", "svg"):
                if not os.path.isfile(os.path.join(root, diagram_dir, "%s.%s" % (name, ext))):
                    errors.append("diagram %s: %s/%s.%s is missing" % (name, diagram_dir, name, ext))
            if "diagrams/%s.svg" % name not in text:
                errors.append("diagram %s: the document does not link its SVG" % name)
        errors.extend(check_mermaid_block(label, lines))
    dot_dir = os.path.join(root, diagram_dir)
    if os.path.isdir(dot_dir):
        for f in sorted(os.listdir(dot_dir)):
            if f.endswith(".dot") and f[:-4] not in names:
                errors.append("%s/%s has no Mermaid block in the document" % (diagram_dir, f))
    return errors, names


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", required=True, help="repository root")
    parser.add_argument("--doc", default="docs/architecture.md", help="document, from --root")
    parser.add_argument("--diagram-dir", default="docs/diagrams")
    parser.add_argument("--min-test-files", type=int, default=20)
    parser.add_argument("check", choices=["paths", "diagrams"])
    args = parser.parse_args()
    doc = os.path.join(args.root, args.doc)
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    if args.check == "paths":
        errors, tests = check_paths(args.root, doc, text, args.min_test_files)
        summary = "%d test files named, all present" % len(tests)
    else:
        errors, names = check_diagrams(args.root, text, args.diagram_dir)
        summary = "%d Mermaid diagrams, each with a DOT source and an SVG" % len(names)
    for e in errors:
        print("%s: %s" % (args.doc, e), file=sys.stderr)
    if errors:
        return 1
    print("%s: %s" % (args.doc, summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
