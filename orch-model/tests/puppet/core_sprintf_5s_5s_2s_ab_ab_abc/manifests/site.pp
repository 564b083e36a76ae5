warning(sprintf('%-5s|%5s|%.2s', 'ab', 'ab', 'abc'))
site { }
