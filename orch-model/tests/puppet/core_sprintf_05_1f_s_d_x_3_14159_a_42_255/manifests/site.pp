warning(sprintf('%05.1f|%s|%d|%x', 3.14159, 'a', 42, 255))
site { }
