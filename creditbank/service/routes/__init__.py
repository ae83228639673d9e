"""The service's routes, one module per area: :mod:`~.meta` (health and the standards in
use), :mod:`~.standards` (programmes, requirements, rules, maps), :mod:`~.compute`
(validation, evaluation, what-if, pathways, credential checks, exports: no ledger) and
:mod:`~.ledger` (accounts and the recognition workflow, with tokens and roles)."""
