# Synthetic hands in the FreiHAND layout (tools/make_synthetic_hands.py, then
# tools/convert_freihand.py --out data/synthetic_freihand/annotations): FreiHAND's
# pipelines, splits and metrics, only the folder differs.
_base_ = ['./freihand.py']

data_root = 'data/synthetic_freihand/'

# data_root is baked into the dataloaders when freihand.py is parsed.
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))
