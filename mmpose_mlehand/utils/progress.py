"""Progress bars of the data tools (converters, generator), with ``rich``.

``rich`` rather than MMEngine's ``track_progress``: the data code must not
import MMEngine (and with it torch).
"""
from contextlib import contextmanager
from typing import Callable, Iterator, Optional, TextIO

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)


@contextmanager
def progress_bar(label: str,
                 total: int,
                 enabled: bool = True,
                 unit: str = 'items',
                 stream: Optional[TextIO] = None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (or ``stream``).

    Args:
        label (str): Text in front of the bar.
        total (int): Number of units of work.
        enabled (bool): Show the bar; when False nothing is printed.
        unit (str): What is counted, printed after the count.
        stream (file, optional): Where to draw; stderr by default.

    Yields:
        callable: ``advance(count)``, to call when ``count`` more units are done.
    """
    if not enabled:
        yield lambda count: None
        return
    console = Console(stderr=True) if stream is None else Console(file=stream)
    columns = (TextColumn('{task.description}'), BarColumn(), MofNCompleteColumn(),
               TextColumn(unit), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(label, total=total)
        yield lambda count: bar.advance(task, count)
