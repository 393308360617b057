"""The numpy reference engine: pure functions that do the computation an exam asks about.

Answers are obtained by building the layers and running them, never by
formatting a closed form; the tests compare the engine with closed forms.
Nothing here draws random numbers: callers hand in arrays or a Generator.

May import: numpy, and nothing of the package.
"""
