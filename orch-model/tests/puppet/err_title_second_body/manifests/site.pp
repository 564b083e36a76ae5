# Each body in turn: the first body's attributes before the second body's title.
$z = 0
notify { 'a': message => 1; undef: message => 1 / $z }
site { }
