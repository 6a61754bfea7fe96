"""Reshape: plan a tensor reshape between tile layouts as direct tile-to-tile transfers, scheduled in rounds on a tile grid.

Map (module.function; every name below is importable from `methodbook.reshape`, except `schedule` and `model`,
which share their names with modules: use `from methodbook.reshape.schedule import schedule`). Modules import
only modules listed before them: layouts -> plan -> schedule -> memory -> noc -> model -> cli.

  data      layouts.Machine, make_layout, parse_layout (Block, BlockCyclic, Chunk, Paged layouts), scatter, gather
  model     model.find_reshapes, plan_model, build_model, load_factory (reshape sites of an nn.Module via torch.fx)
  fit       (planning, no training) memory.plan_reshape -> ReshapePlan (plan.plan_descriptors fitted to a Machine),
            memory.execute (out-of-place or in place), execute_inplace, tile_memory; schedule.schedule (Koenig edge
            colouring into exchange rounds), edge_colouring
  evaluate  memory.plan_stats -> PlanStats; schedule.owner_changes; noc.get_noc, time_schedule, via_dram_ns,
            balanced_schedule; cli.reshape_stats
  report    model.summarize, format_table; PlanStats.table; schedule.plot_transfers; noc.plot_link_loads
  cli       cli.main (`methodbook reshape SRC DST ...`, `methodbook reshape model ...`), cli.demo
"""

_API = {  # public name -> module of this package that defines it
    'Machine': 'layouts', 'make_layout': 'layouts', 'parse_layout': 'layouts', 'BlockLayout': 'layouts', 'BlockCyclicLayout': 'layouts', 'ChunkLayout': 'layouts', 'PagedLayout': 'layouts', 'scatter': 'layouts', 'gather': 'layouts',
    'find_reshapes': 'model', 'plan_model': 'model', 'build_model': 'model', 'load_factory': 'model', 'summarize': 'model', 'format_table': 'model',
    'ReshapePlan': 'plan', 'plan_descriptors': 'plan', 'execute_out': 'plan',
    'edge_colouring': 'schedule', 'plot_transfers': 'schedule', 'Schedule': 'schedule', 'owner_changes': 'schedule',
    'plan_reshape': 'memory', 'execute': 'memory', 'execute_inplace': 'memory', 'tile_memory': 'memory', 'fit_mode': 'memory',
    'PlanStats': 'memory', 'plan_stats': 'memory',
    'get_noc': 'noc', 'time_schedule': 'noc', 'via_dram_ns': 'noc', 'balanced_schedule': 'noc', 'plot_link_loads': 'noc',
    'reshape_stats': 'cli', 'main': 'cli', 'demo': 'cli',
}

from methodbook.core import lazy_api
__all__ = list(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)   # `methodbook reshape --help` must not pay for torch
