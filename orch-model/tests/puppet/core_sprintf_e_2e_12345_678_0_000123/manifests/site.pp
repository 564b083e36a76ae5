warning(sprintf('%e|%.2E', 12345.678, 0.000123))
site { }
