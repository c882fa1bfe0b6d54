package org.ketcd.raft;
