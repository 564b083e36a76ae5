$t = ['a', 'b']
notify { $t: message => 1;
  'b': }
site { }
