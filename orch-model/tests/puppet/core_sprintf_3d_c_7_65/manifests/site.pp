warning(sprintf('%.3d|%c', 7, 65))
site { }
