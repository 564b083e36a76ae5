warning(sprintf('%g|%g|%g', 0.0001, 123456789.0, 2.5))
site { }
