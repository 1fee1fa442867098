-- expect: param(): name 'cluster.spares' must be an identifier
param ("cluster.spares", 4)
