# MMPose's runtime (hooks, logging, visualiser, default_scope='mmpose') plus the plugin.
_base_ = ['mmpose::_base_/default_runtime.py']

custom_imports = dict(imports=['mmpose_mlehand.plugin'], allow_failed_imports=False)
