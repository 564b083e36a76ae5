site { create_node_order('order', ['a', ['b', 'a']]) }
