warning(sprintf('%s and %p', [1, 'a'], 'q'))
site { }
