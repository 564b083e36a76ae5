warning(String(sprintf('%s', undef)))
site { }
