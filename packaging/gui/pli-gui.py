"""Entry script of the windowed executable `pli-gui` (`pli-gui.exe`: no console on Windows).

The same entry point as the `pli-gui` gui-script of the wheel. Alone in its folder, like
packaging/entry/pli.py: PyInstaller puts the script's folder on its search path.
"""

from app.__main__ import gui

if __name__ == "__main__":
    gui()
