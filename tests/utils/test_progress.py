import io

import pytest

from mmpose_mlehand.utils.progress import progress_bar


def test_advance_counts_units():
    stream = io.StringIO()
    with progress_bar('render', 12, unit='images', stream=stream) as advance:
        advance(5)
        advance(7)
    text = stream.getvalue()
    assert 'render' in text and '12/12 images' in text


def test_an_error_leaves_the_bar_where_it_stopped_before_the_error_is_reported():
    stream = io.StringIO()
    with pytest.raises(ValueError):
        with progress_bar('job', 10, stream=stream) as advance:
            advance(3)
            raise ValueError('bad sample')
    # The bar is closed by the time the caller prints the error.
    closed = stream.getvalue()
    assert '3/10 items' in closed and '10/10' not in closed
    print('error: bad sample', file=stream)
    assert stream.getvalue().splitlines()[-1] == 'error: bad sample'


def test_disabled_prints_nothing():
    stream = io.StringIO()
    with progress_bar('job', 5, enabled=False, stream=stream) as advance:
        advance(5)
    assert stream.getvalue() == ''
