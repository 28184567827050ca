"""Received documents shown in Pli: PDF, images, TIFF, RTF, IHE XDM packages (issue 12)."""
