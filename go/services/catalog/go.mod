module languagetracks.example/go/services/catalog

go 1.26
