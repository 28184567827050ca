"""Entry script of the frozen build: the same entry point as the `pli` console script.

`app.__main__.main` calls `multiprocessing.freeze_support()` before anything else, which a
frozen Windows build needs for child processes. This file sits alone in its folder because
PyInstaller puts the script's folder on its search path: nothing here may shadow a real module.
"""

from app.__main__ import main

if __name__ == "__main__":
    main()
