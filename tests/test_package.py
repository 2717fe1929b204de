import subprocess
import sys

from mmpose.registry import MODELS


def test_plugin_registers_every_module():
    import mmpose_mlehand
    import mmpose_mlehand.plugin  # noqa: F401
    from mmpose_mlehand.models import MLELoss, SequentialIntegralHead

    assert MODELS.get('SequentialIntegralHead') is SequentialIntegralHead
    assert MODELS.get('MLELoss') is MLELoss
    assert mmpose_mlehand.__version__.count('.') == 2


def test_configs_load_the_plugin_by_custom_imports(repo_root):
    """A fresh process that only parses a config gets the modules registered."""
    code = (
        'from mmengine.config import Config\n'
        'from mmpose.registry import MODELS\n'
        "cfg = Config.fromfile('configs/mlehand_res50_freihand.py', import_custom_modules=False)\n"
        "assert cfg.custom_imports['imports'] == ['mmpose_mlehand.plugin']\n"
        "assert MODELS.get('SequentialIntegralHead') is None\n"
        'from mmengine.utils import import_modules_from_strings\n'
        "import_modules_from_strings(**cfg['custom_imports'])\n"
        "assert MODELS.get('SequentialIntegralHead') is not None\n")
    subprocess.run([sys.executable, '-c', code], check=True, cwd=repo_root)


def test_data_code_imports_neither_torch_nor_mmpose(repo_root):
    """The converters and the generator are plain data code: their tools start at once."""
    code = (
        'import sys\n'
        'import mmpose_mlehand, mmpose_mlehand.converters, mmpose_mlehand.synthetic\n'
        'import mmpose_mlehand.hand_format, mmpose_mlehand.analysis.benchmark_generator\n'
        "heavy = sorted(m for m in ('torch', 'mmpose', 'mmengine', 'mmcv') if m in sys.modules)\n"
        'assert not heavy, heavy\n')
    subprocess.run([sys.executable, '-c', code], check=True, cwd=repo_root)


def test_register_all_modules_is_the_plugin_import(repo_root):
    code = (
        'import sys\n'
        'import mmpose_mlehand\n'
        "assert 'mmpose_mlehand.plugin' not in sys.modules\n"
        'mmpose_mlehand.register_all_modules()\n'
        'from mmpose.registry import MODELS\n'
        "assert MODELS.get('MLELoss') is not None\n")
    subprocess.run([sys.executable, '-c', code], check=True, cwd=repo_root)
