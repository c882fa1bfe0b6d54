package org.ketcd.server;
