# The paper's schedule (section IV-A): Adam, lr 1e-3 dropping to 1e-4 after
# epoch 90, 120 epochs, total batch 128 (e.g. 4 GPUs x 32 samples).
# With another total batch run with --auto-scale-lr (MMEngine scales lr linearly).
# Includes the runtime (hooks and loops are defined there first).
_base_ = ['../default_runtime.py']

train_cfg = dict(by_epoch=True, max_epochs=120, val_interval=5)
val_cfg = dict()
test_cfg = dict()

# fused=True: PyTorch's one-kernel Adam (CPU and CUDA), the same update as the
# per-tensor loop (the method has ~700 parameter tensors, 360 in its flows).
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3, fused=True))
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=120, by_epoch=True, milestones=[90], gamma=0.1)
]
auto_scale_lr = dict(base_batch_size=128)

# Model selection on the validation split (never the test split). A checkpoint
# every epoch: a run killed mid-epoch resumes (`--resume`) from the end of the
# previous epoch and ends as the uninterrupted run (README, "When things go
# wrong"); MMEngine's epoch loop cannot resume inside an epoch.
default_hooks = dict(checkpoint=dict(save_best='AUC', rule='greater', interval=1, max_keep_ckpts=2))
