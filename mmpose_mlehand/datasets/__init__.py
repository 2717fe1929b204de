"""Data: raw-format converters, the synthetic-hand generator and format constants.

Nothing here imports torch or MMPose; converters and the generator are plain
data code.
"""
