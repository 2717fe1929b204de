"""The data tools (converters, generator) load neither torch nor MMPose, so they
start at once."""
import subprocess
import sys

import pytest

DATA_TOOLS = ('convert_freihand', 'convert_rhd', 'make_synthetic_hands', 'make_contact_sheet',
              'benchmark_generator')

CHECK = '''
import runpy, sys
sys.argv = [{path!r}, '--help']
try:
    runpy.run_path({path!r}, run_name='__main__')
except SystemExit as exc:
    assert exc.code == 0, exc.code
heavy = sorted(m for m in ('torch', 'mmpose', 'mmengine', 'mmcv') if m in sys.modules)
assert not heavy, heavy
'''


@pytest.mark.parametrize('tool', DATA_TOOLS)
def test_help_loads_neither_torch_nor_mmpose(tool, repo_root):
    code = CHECK.format(path=f'tools/{tool}.py')
    result = subprocess.run([sys.executable, '-c', code], cwd=repo_root, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert 'usage:' in result.stdout
