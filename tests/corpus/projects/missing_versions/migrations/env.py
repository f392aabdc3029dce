# env.py of a project whose versions directory was never committed
