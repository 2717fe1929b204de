"""The documentation's relative links and images point to files that exist.

Checks README.md and every docs/**/*.md: each markdown link ``[text](target)``
and image ``![alt](target)`` whose target is not a web or mail address nor a
pure anchor must name a file or folder that exists, relative to the page's
folder (a ``#anchor`` part is ignored). README.md stays short: the details
live in docs/.
"""
import os.path as osp
import re
from glob import glob
from typing import List, Tuple

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
README = osp.join(ROOT, 'README.md')
README_MAX_LINES = 220

# [text](target) and ![alt](target); the text may hold `code` but no brackets,
# the target no spaces or parentheses (an optional "title" after it is allowed).
LINK = re.compile(r'!?\[[^\[\]]*\]\(\s*<?([^\s()<>]+)>?(?:\s+"[^"]*")?\s*\)')
FENCE = re.compile(r'^\s*(```|~~~)')
EXTERNAL = ('http://', 'https://', 'mailto:')


def markdown_files() -> List[str]:
    docs = glob(osp.join(ROOT, 'docs', '**', '*.md'), recursive=True)
    return [README] + sorted(docs)


def links_in(line: str) -> List[str]:
    """Relative link and image targets of one line of markdown (not in code)."""
    line = re.sub(r'`[^`]*`', '', line)  # inline code spans hold no links
    return [target for target in LINK.findall(line)
            if not target.startswith(EXTERNAL) and not target.startswith('#')]


def relative_links(path: str) -> List[Tuple[int, str]]:
    """(line number, target) of every relative link outside code blocks."""
    links = []
    in_code = False
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, start=1):
            if FENCE.match(line):
                in_code = not in_code
                continue
            if in_code:
                continue
            links.extend((number, target) for target in links_in(line))
    return links


def test_docs_exist():
    assert osp.isfile(README)
    assert len(markdown_files()) > 1, 'no docs/*.md found'


def missing_targets(path: str) -> List[str]:
    """The relative links of ``path`` whose file does not exist."""
    folder = osp.dirname(path)
    missing = []
    for number, target in relative_links(path):
        file_part = target.split('#', 1)[0]
        if not osp.exists(osp.normpath(osp.join(folder, file_part))):
            missing.append(f'line {number}: {target}')
    return missing


@pytest.mark.parametrize('path', markdown_files(), ids=lambda p: osp.relpath(p, ROOT))
def test_relative_links_exist(path):
    missing = missing_targets(path)
    assert not missing, f'{osp.relpath(path, ROOT)} links to missing files: {missing}'


def test_missing_target_is_found(tmp_path):
    (tmp_path / 'there.md').write_text('x\n')
    page = tmp_path / 'page.md'
    page.write_text('[ok](there.md#a) [gone](gone.md)\n```\n[code](nowhere.md)\n```\n')
    assert missing_targets(str(page)) == ['line 1: gone.md']


def test_link_parser():
    text = ('[a](docs/x.md) ![b](img.png) [c](https://e.org) [d](#top) '
            '[e](y.md#part) `[f](not/a/link.md)` [`g`](z.md "title")\n')
    assert links_in(text) == ['docs/x.md', 'img.png', 'y.md#part', 'z.md']


def test_readme_is_short():
    with open(README, encoding='utf-8') as f:
        lines = f.read().splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f'README.md has {len(lines)} lines (at most {README_MAX_LINES}): move details to docs/')
