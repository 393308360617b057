from generator.launch import main

main()
