# MMPose's runtime (hooks, logging, visualiser, default_scope='mmpose') plus the plugin.
_base_ = ['mmpose::_base_/default_runtime.py']

custom_imports = dict(imports=['mmpose_mlehand.plugin'], allow_failed_imports=False)

# MMPose's SyncBuffersHook plus the plugin's (mmpose_mlehand/engine/hooks.py):
# - CheckFiniteLossHook stops the run with a message at the first iteration
#   whose loss is NaN or infinite, before anything of it is saved;
# - ExactResumeHook seeds every epoch from (seed, epoch), so that a run resumed
#   from an epoch checkpoint (`--resume`) ends as the same run uninterrupted
#   (with non-persistent train workers), and runs a validation that a kill
#   after the epoch's checkpoint skipped.
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='CheckFiniteLossHook', interval=1),
    dict(type='ExactResumeHook'),
]
