import subprocess
import sys

from mmpose.registry import MODELS


def test_import_registers_every_module():
    import mmpose_mlehand
    from mmpose_mlehand.models import MLELoss, SequentialIntegralHead

    assert MODELS.get('SequentialIntegralHead') is SequentialIntegralHead
    assert MODELS.get('MLELoss') is MLELoss
    assert mmpose_mlehand.__version__.count('.') == 2


def test_configs_load_the_plugin_by_custom_imports(repo_root):
    """A fresh process that only parses a config gets the modules registered."""
    code = (
        'from mmengine.config import Config\n'
        'from mmengine.registry import init_default_scope\n'
        'from mmpose.registry import MODELS\n'
        "cfg = Config.fromfile('configs/mlehand_res50_freihand.py')\n"
        "assert cfg.custom_imports['imports'] == ['mmpose_mlehand']\n"
        'from mmengine.utils import import_modules_from_strings\n'
        "import_modules_from_strings(**cfg['custom_imports'])\n"
        "assert MODELS.get('SequentialIntegralHead') is not None\n")
    subprocess.run([sys.executable, '-c', code], check=True, cwd=repo_root)
