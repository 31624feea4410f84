"""Figures stated in prose (情况说明, 部门概况, 绩效 reports).

:mod:`labels` holds the vocabulary (what a phrase refers to), :mod:`tokens`
turns a paragraph into labels, keywords and numbers, and :mod:`interpreter`
walks the tokens with a little state (subject, pending measure, comparison
base, enumeration parent, explanation clause) to attribute every number.
"""
