"""The look of the voter-facing pages: one base template, one stylesheet, components.

A deployment swaps the look by providing its own ``theme`` app (e.g. one built on the State
design system, DSFR, whose brand only the State may use) with the same template names and
blocks.
"""
