notify { 'a': nosuch => 1 }
warning('after')
site { }
