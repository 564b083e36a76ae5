warning('single \' \\ \n')
site { }
