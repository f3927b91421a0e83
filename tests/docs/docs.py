"""The project's docs as the docs tests read them: their sections, their fenced shell blocks,
the commands in those blocks, and how each command is accounted for.

A command in a fenced ```bash / ```sh / ```shell / ```console block is accounted for when it

- needs a deployment: its block is preceded by ``<!-- needs a deployment -->`` and the command
  itself names one (``npx convex dev|deploy|env``, a ``*.convex.cloud`` URL, a ``<placeholder>``
  for a deployment's URL or tokens);
- is run by CI: ``scripts/test`` (which ``.ci/run`` calls) runs the same command, up to quiet
  flags, or a wider one (the doc's command only adds test paths of the suite CI runs whole);
  or it is ``pip install`` of this repository's packages with extras whose every requirement
  the ``dev`` extra that CI installs holds;
- is run by a named test: its block is preceded by ``<!-- run by tests/…/file.py … -->`` and
  that file reads the doc's section (it names the section's heading);
- is run by ``test_doc_commands.py`` itself (its ``RUNS`` table: how and where to run it);
- is one of the few commands ``test_doc_commands.py`` lists as not run, with the reason, its
  block saying so (``<!-- not run by tests: … -->``).

Anything else fails the test: a new command must be run somewhere, or marked.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: The docs, each for its own readers.
DOCS = ("README.md", "CONTRIBUTING.md", "bench/README.md", "local_backend/README.md")
SHELL_LANGUAGES = frozenset({"bash", "sh", "shell", "console"})
#: What CI runs: .ci/run calls scripts/test, which sources scripts/lib/env.sh.
CI_FILES = (".ci/run", "scripts/test", "scripts/lib/env.sh")

NEEDS_DEPLOYMENT = "needs a deployment"
RUN_BY = re.compile(r"^run by (tests/\S+)")
NOT_RUN = re.compile(r"^not run by tests: (.+)$", re.S)


@dataclass(frozen=True)
class Block:
    doc: str
    line: int  # of the opening fence, 1-based
    language: str
    text: str
    #: The heading the block sits under, without its `#`s.
    section: str
    #: The HTML comments just above the opening fence, stripped.
    markers: tuple[str, ...]

    def where(self) -> str:
        return f"{self.doc}:{self.line} ({self.section})"


@dataclass(frozen=True)
class Command:
    block: Block
    #: The command as a shell runs it: continuation lines joined, its comment removed.
    text: str
    #: Its words as the shell splits them (quotes removed).
    words: tuple[str, ...]

    @property
    def key(self) -> str:
        """The command, normalized: what the tables of the tests name."""
        return " ".join(self.words)

    def __str__(self) -> str:
        return f"{self.block.where()}: {self.key}"


def doc_text(doc: str) -> str:
    return (ROOT / doc).read_text()


def first_paragraph(doc: str) -> str:
    """The first paragraph of prose after the title."""
    paragraphs = re.split(r"\n\s*\n", doc_text(doc))
    for paragraph in paragraphs:
        stripped = paragraph.strip()
        if stripped and not stripped.startswith(("#", "<!--", "```", "|")):
            return " ".join(stripped.split())
    raise AssertionError(f"{doc} has no paragraph")


def blocks(doc: str) -> list[Block]:
    """Every fenced code block of the doc (any language)."""
    found: list[Block] = []
    lines = doc_text(doc).splitlines()
    section = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        heading = re.match(r"#{1,6} (.+)", line)
        if heading:
            section = heading.group(1).strip()
        fence = re.match(r"(\s*)(`{3,})(\w*)\s*$", line)  # indented too (in a list item)
        if fence:
            indent, ticks = fence.group(1), fence.group(2)
            end = i + 1
            while end < len(lines) and lines[end].strip() != ticks:
                end += 1
            body = [ln[len(indent) :] if ln.startswith(indent) else ln for ln in lines[i + 1 : end]]
            found.append(
                Block(
                    doc=doc,
                    line=i + 1,
                    language=fence.group(3),
                    text="\n".join(body) + "\n",
                    section=section,
                    markers=_markers_above(lines, i),
                )
            )
            i = end + 1
            continue
        i += 1
    return found


def _markers_above(lines: list[str], fence: int) -> tuple[str, ...]:
    markers: list[str] = []
    j = fence - 1
    while j >= 0 and (lines[j].strip() == "" or lines[j].strip().startswith("<!--")):
        comment = re.fullmatch(r"<!--(.*?)-->", lines[j].strip(), re.S)
        if comment:
            markers.append(" ".join(comment.group(1).split()))
        j -= 1
    return tuple(reversed(markers))


def shell_blocks(doc: str) -> list[Block]:
    return [b for b in blocks(doc) if b.language in SHELL_LANGUAGES]


def strip_comment(line: str) -> str:
    """The line without its shell comment (a `#` that starts a word, outside quotes)."""
    quote = ""
    escaped = False
    for i, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip()
    return line.rstrip()


def logical_lines(text: str, *, console: bool = False) -> list[str]:
    """Shell lines with their continuations joined and comments removed; for a console block,
    only the lines typed at the `$ ` prompt."""
    out: list[str] = []
    pending = ""
    for raw in text.splitlines():
        if console and not pending:
            if not raw.startswith("$ "):
                continue
            raw = raw[2:]
        line = strip_comment(raw) if not raw.rstrip().endswith("\\") else raw.rstrip()
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        line = pending + line.strip()
        pending = ""
        if line.strip():
            out.append(line.strip())
    return out


def split_commands(line: str) -> list[tuple[str, tuple[str, ...]]]:
    """A line's commands (split at `&&`, `||` and `;`), each as (text, words)."""
    words = shlex.split(line)  # raises ValueError on a line a shell could not parse either
    if not any(w in {"&&", "||", ";"} for w in words):
        return [(line, tuple(words))]
    commands: list[tuple[str, tuple[str, ...]]] = []
    for part in re.split(r"\s(?:&&|\|\||;)\s", line):
        commands.append((part.strip(), tuple(shlex.split(part))))
    return commands


def commands(doc: str) -> list[Command]:
    found: list[Command] = []
    for block in shell_blocks(doc):
        for line in logical_lines(block.text, console=block.language == "console"):
            for text, words in split_commands(line):
                found.append(Command(block=block, text=text, words=words))
    return found


def all_commands() -> list[Command]:
    return [c for doc in DOCS for c in commands(doc)]


# --- what CI runs ---------------------------------------------------------------------------

#: Words that change how much a command prints or caches, not what it runs.
QUIET = frozenset({"-q", "-x", "-p", "no:cacheprovider", "--loglevel=error", "exec"})
#: Variables that only tell a run where to write its report.
REPORT_VARIABLES = ("E2E_ERROR_LOG=",)


def ci_commands() -> list[tuple[str, ...]]:
    """Every command line of the CI scripts, as words, `step "name"` wrappers removed."""
    found: list[tuple[str, ...]] = []
    for name in CI_FILES:
        for line in logical_lines((ROOT / name).read_text()):
            try:
                words = shlex.split(line)
            except ValueError:
                continue
            if "step" in words:
                at = words.index("step")
                words = words[:at] + words[at + 2 :]
            found.append(tuple(words))
    return found


def _essential(words: tuple[str, ...]) -> list[str]:
    return [w for w in words if w not in QUIET and not w.startswith(REPORT_VARIABLES)]


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(word in it for word in short)


def _test_path(word: str) -> bool:
    return word.startswith("tests/") and (ROOT / word.split("::")[0]).exists()


def run_by_ci(command: Command) -> str | None:
    """The CI command that runs this one (the same, or a wider one), if any."""
    mine = _essential(command.words)
    for words in ci_commands():
        theirs = _essential(words)
        if not theirs:
            continue
        if mine == theirs:
            return " ".join(words)
        if _is_subsequence(theirs, mine):
            extra = list(mine)
            for word in theirs:
                extra.remove(word)
            if extra and all(_test_path(w) for w in extra):
                return f"{' '.join(words)} (the whole suite, {' '.join(extra)} included)"
    return installed_by_ci(command)


def _requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0].lower() for r in requirements}


def installed_by_ci(command: Command) -> str | None:
    """`pip install` of this repository's own packages, with extras CI installs: scripts/lib/
    env.sh installs the checkout with the `dev` extra (and ./codegen); the extras named must
    exist and hold nothing `dev` lacks."""
    words = list(command.words)
    if words[:2] != ["pip", "install"] or len(words) < 3:
        return None
    env_sh = (ROOT / "scripts/lib/env.sh").read_text()
    if '-e ".[dev]"' not in env_sh or "-e ./codegen" not in env_sh:
        return None
    projects = {
        tomllib.loads((ROOT / path).read_text())["project"]["name"]: path
        for path in ("pyproject.toml", "codegen/pyproject.toml")
    }
    main = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras: dict[str, list[str]] = main["optional-dependencies"]
    dev = _requirement_names(extras["dev"])
    for spec in words[2:]:
        m = re.fullmatch(r"([\w.-]+)(?:\[([\w,-]+)\])?", spec)
        if m is None or m[1] not in projects:
            return None
        for extra in filter(None, (m[2] or "").split(",")):
            if extra not in extras or not _requirement_names(extras[extra]) <= dev:
                return None
    return "scripts/lib/env.sh installs this checkout (pip install -e .[dev] -e ./codegen)"


# --- deployments and named tests ------------------------------------------------------------

DEPLOYMENT = re.compile(
    r"\bnpx convex (?:dev|deploy|env)\b"  # the CLI talking to a deployment
    r"|\.convex\.cloud\b"  # a deployment's URL
    r"|<[^<>\n]+>"  # a value only a deployment gives: its URL, a user's token
)


def marked_for_a_deployment(block: Block) -> bool:
    return any(marker.startswith(NEEDS_DEPLOYMENT) for marker in block.markers)


def needs_deployment(command: Command) -> bool:
    return marked_for_a_deployment(command.block) and bool(DEPLOYMENT.search(command.text))


def named_tests(block: Block) -> list[str]:
    """The test files a `<!-- run by tests/... -->` marker names (every `tests/...` in it)."""
    return [
        path.rstrip(".,;:)")
        for marker in block.markers
        if RUN_BY.match(marker)
        for path in re.findall(r"tests/\S+", marker)
    ]


def not_run_reason(block: Block) -> str | None:
    for marker in block.markers:
        m = NOT_RUN.match(marker)
        if m:
            return m[1]
    return None
