"""The desktop app: PySide6 and pyqtgraph. Talks to ``mlstudy.services`` only."""
