$pw = lookup('db::password')
$n = lookup('db::password', Integer)
