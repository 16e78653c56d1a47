"""``twenty-gql docs``: a reference site for one workspace, from the bindings' own IR.

Stages: :mod:`codegen.docs.build` (bindings IR -> docs IR, :mod:`codegen.docs.model`),
:mod:`codegen.docs.diagram` (SVG), :mod:`codegen.docs.render` (HTML + Markdown),
:mod:`codegen.docs.changelog` (data-model changes between two core schemas),
:mod:`codegen.docs.datamodel` (standard vs custom, defaults, uniqueness).
:func:`codegen.docs.site.docs_files` runs them all.
"""
