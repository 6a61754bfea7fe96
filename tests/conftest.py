import os

os.environ.setdefault('OMP_NUM_THREADS', '1')
import torch

torch.set_num_threads(1)

# Property tests draw the same examples on every run, so CI is deterministic under load;
# HYPOTHESIS_PROFILE=explore draws fresh ones (run it locally now and then).
from hypothesis import settings

settings.register_profile('ci', derandomize=True, deadline=None, database=None)
settings.register_profile('explore', deadline=None)
settings.load_profile(os.environ.get('HYPOTHESIS_PROFILE', 'ci'))
